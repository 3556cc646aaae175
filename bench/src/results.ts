import type { SqliteCeilingFigures } from "./ceilings/ceilings.js";
import type { HttpFigures, WalkFigures } from "./load/load-job.js";
import type { Machine } from "./machine.js";
import type { RssFigures } from "./rss-sampler.js";
import type { BenchSettings, WorkloadName } from "./settings.js";

export interface CeilingResults {
  bareKoa?: HttpFigures;
  /** HTTP→Koa→gRPC→trivial answer: what the reads are held against. */
  koaGrpc?: HttpFigures;
  /** What the writes are held against (insertFullPerSecond). */
  sqlite?: SqliteCeilingFigures;
}

export interface WorkloadResult {
  name: WorkloadName;
  /** What was measured, e.g. "GET /Users/{id}". */
  label: string;
  figures: HttpFigures;
  /** What the figure is held against, per second, and its name; absent when there is none. */
  ceiling?: { name: string; perSecond: number };
  /** figures.perSecond / ceiling.perSecond. */
  ratio?: number;
  /** With a paired ceiling: each slice's rate, in the order measured (paired.ts). */
  slices?: { ceilingPerSecond: number[]; workloadPerSecond: number[] };
  /** The target for the ratio, as text. */
  target: string;
  rss: Record<string, RssFigures>;
}

export interface ImportResult {
  users: number;
  figures: WalkFigures;
  rss: Record<string, RssFigures>;
  /** Peak minus start, MiB, per service. */
  growthMiB: Record<string, number>;
  target: string;
}

export interface RunResult {
  run: number;
  ceilings: CeilingResults;
  workloads: WorkloadResult[];
  import?: ImportResult;
}

export interface BenchResults {
  startedAt: string;
  machine: Machine;
  settings: Omit<BenchSettings, "outFile">;
  /** Seconds spent seeding, by what was seeded. */
  seeding: Record<string, number>;
  runs: RunResult[];
  /** Median over the runs of each ratio (and of the import's last/first), by workload name. */
  medianRatios: Record<string, number>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The median of each ratio over the runs that measured it. */
export function medianRatios(runs: RunResult[]): Record<string, number> {
  const ratios: Record<string, number[]> = {};
  const add = (name: string, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    ratios[name] = [...(ratios[name] ?? []), value];
  };
  for (const run of runs) {
    for (const workload of run.workloads) add(workload.name, workload.ratio);
    add("import", run.import?.figures.lastToFirst);
    for (const [service, growth] of Object.entries(run.import?.growthMiB ?? {})) add(`import RSS growth ${service} MiB`, growth);
  }
  return Object.fromEntries(Object.entries(ratios).map(([name, values]) => [name, median(values)]));
}
