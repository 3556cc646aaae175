import type { StoreKind } from "@scimgw/test-stores";

/** Every workload the harness knows, in the order a run measures them. */
export const workloadNames = ["get", "filter", "post", "put", "patch", "group-10", "group-100k", "import"] as const;
export type WorkloadName = (typeof workloadNames)[number];

/** Names accepted by ONLY / --only besides the workloads themselves. */
const aliases: Record<string, WorkloadName[]> = {
  reads: ["get", "filter"],
  writes: ["post", "put", "patch"],
  group: ["group-10", "group-100k"],
};

export interface BenchSettings {
  store: StoreKind;
  /** Concurrent connections of the load generator. */
  concurrency: number;
  /** Seconds each measured workload (and each ceiling) runs. */
  durationSeconds: number;
  /** Untimed seconds of the same load before each measurement: connections, JIT, caches. */
  warmupSeconds: number;
  /** Slices a workload and its ceiling each take turns in (paired.ts). */
  slices: number;
  /** Users of the tenant that the per-request workloads rotate over. */
  seedUsers: number;
  /** Members of the large group (group-100k). */
  groupMembers: number;
  /** Users of the tenant that the import walks. */
  importUsers: number;
  importPageSize: number;
  runs: number;
  only: WorkloadName[];
  /** Where the JSON goes. */
  outFile: string | undefined;
  /** Whether the services write CPU profiles (next to the JSON). */
  profile: boolean;
  /** Settings given to the product's services (PRODUCT_ENV), e.g. to compare two values of one. */
  productEnv: Record<string, string>;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: must be a positive number, got "${raw}"`);
  return value;
}

function onlyList(argv: string[]): WorkloadName[] {
  const flag = argv.indexOf("--only");
  const raw = flag >= 0 ? argv[flag + 1] : (argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length) ?? process.env.ONLY);
  if (raw === undefined || raw.trim() === "") return [...workloadNames];
  const chosen = new Set<WorkloadName>();
  for (const name of raw.split(",").map((part) => part.trim().toLowerCase())) {
    if (name === "") continue;
    const expanded = aliases[name] ?? (workloadNames.includes(name as WorkloadName) ? [name as WorkloadName] : undefined);
    if (expanded === undefined)
      throw new Error(`ONLY / --only: unknown workload "${name}"; known: ${[...workloadNames, ...Object.keys(aliases)].join(", ")}`);
    for (const workload of expanded) chosen.add(workload);
  }
  return workloadNames.filter((name) => chosen.has(name));
}

/**
 * The levels at which the services still log their "listening" line, which Product.start waits
 * for: any higher (warn, error, fatal, silent) and every run would wait 60 s and fail to start.
 */
const levelsShowingReady = new Set(["info", "debug", "trace"]);

/** PRODUCT_ENV read: a JSON object of strings, or a message saying what is wrong with it. */
export function productEnvOf(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === "") return {};
  const refuse = () => new Error(`PRODUCT_ENV: must be a JSON object of strings, e.g. {"DIRECTORY_TENANT_CONCURRENCY":"16"}; got ${raw}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw refuse();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw refuse();
  if (!Object.values(parsed).every((value) => typeof value === "string")) throw refuse();
  const settings = parsed as Record<string, string>;
  const level = settings.LOG_LEVEL;
  if (level !== undefined && !levelsShowingReady.has(level))
    throw new Error(
      `PRODUCT_ENV: LOG_LEVEL "${level}" hides the services' "listening" lines, which the harness waits for; use info, debug or trace`,
    );
  return settings;
}

/** Reads the harness's settings from the environment (and --only from the command line), once. */
export function readSettings(argv: string[] = process.argv.slice(2)): BenchSettings {
  const store = process.env.STORE ?? "sqlite";
  if (store !== "sqlite" && store !== "postgres") throw new Error(`STORE: must be sqlite or postgres, got "${store}"`);
  return {
    store,
    concurrency: Math.round(positiveNumber("CONCURRENCY", 16)),
    durationSeconds: positiveNumber("DURATION", 10),
    warmupSeconds: positiveNumber("WARMUP", 1),
    slices: Math.round(positiveNumber("SLICES", 5)),
    seedUsers: Math.round(positiveNumber("SEED_USERS", 10_000)),
    groupMembers: Math.round(positiveNumber("GROUP_MEMBERS", 100_000)),
    importUsers: Math.round(positiveNumber("IMPORT_USERS", 1_000_000)),
    importPageSize: Math.round(positiveNumber("IMPORT_PAGE", 100)),
    runs: Math.round(positiveNumber("RUNS", 1)),
    only: onlyList(argv),
    outFile: process.env.BENCH_OUT || undefined,
    profile: process.env.PROFILE === "1" || process.env.PROFILE === "true",
    productEnv: productEnvOf(process.env.PRODUCT_ENV),
  };
}
