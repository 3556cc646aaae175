import type { Parameters } from "fast-check";

/** How property tests run: how many times each property's quick run count, with which seed. */
export interface FuzzSettings {
  /** Each property runs `multiplier` times its quick number of runs (1 in `test`). */
  readonly multiplier: number;
  readonly seed: number;
  /** A counterexample's path from fast-check's report, to replay only that case. */
  readonly path?: string;
}

/**
 * The default seed of the quick runs in `test`: fixed, so CI runs the same cases every time and a
 * failure there reproduces by rerunning. `pnpm fuzz` draws a fresh one instead (FUZZ_SEED=random).
 */
const quickSeed = 20260511;

/**
 * Reads FUZZ_RUNS (a multiplier), FUZZ_SEED (a number, or `random`) and FUZZ_PATH. Bad values are
 * an error naming the setting, not a silently different run.
 */
export function fuzzSettingsOf(env: Record<string, string | undefined>, random: () => number = Math.random): FuzzSettings {
  const runs = env["FUZZ_RUNS"]?.trim() || "1";
  const multiplier = Number(runs);
  if (!Number.isInteger(multiplier) || multiplier < 1) throw new Error(`FUZZ_RUNS must be a whole number of at least 1, got "${runs}"`);
  const seedText = env["FUZZ_SEED"]?.trim() || String(quickSeed);
  const seed = seedText === "random" ? Math.floor(random() * 0x7fffffff) : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", got "${seedText}"`);
  const path = env["FUZZ_PATH"]?.trim();
  return { multiplier, seed, ...(path ? { path } : {}) };
}

let settings: FuzzSettings | undefined;

/** This process's settings, read once; a drawn seed is printed so the run can be repeated. */
export function readFuzzSettings(): FuzzSettings {
  if (settings !== undefined) return settings;
  settings = fuzzSettingsOf(process.env);
  if (settings.multiplier > 1 || process.env["FUZZ_SEED"]?.trim() === "random") {
    process.stderr.write(
      `fuzz: FUZZ_SEED=${settings.seed} FUZZ_RUNS=${settings.multiplier} (rerun with these to repeat this run; fast-check adds the path of a failure)\n`,
    );
  }
  return settings;
}

/**
 * fast-check parameters for one property: `quickRuns` times the multiplier, with the run's seed.
 * Keep `quickRuns` so the property takes a few seconds in `test`. With FUZZ_PATH, only the case at
 * that path is replayed (run that one test, with --test-name-pattern, and the seed it failed with).
 */
export function fuzzParameters<T>(quickRuns: number, overrides: Parameters<T> = {}): Parameters<T> {
  const { multiplier, seed, path } = readFuzzSettings();
  return {
    numRuns: quickRuns * multiplier,
    seed,
    ...(path !== undefined ? { path, endOnFailure: true } : {}),
    ...overrides,
  };
}
