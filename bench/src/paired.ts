import type { HttpFigures } from "./load/load-job.js";
import { median } from "./results.js";

/** One side of a paired measurement: `seconds` of its load measured, after `warmupSeconds` unmeasured (0: none). */
export type MeasureSlice<F> = (seconds: number, warmupSeconds: number) => Promise<F>;

export interface PairedSettings {
  /** Slices per side. */
  slices: number;
  /** Measured seconds per side, over all its slices. */
  seconds: number;
  /** Unmeasured seconds before each side's first slice. */
  warmupSeconds: number;
}

/**
 * Measures a workload and its ceiling in alternating slices, ceiling then workload, then workload
 * then ceiling (C W W C C W …), so that both see the same machine: on these shared machines the
 * ceilings' own rate moved by up to 2× within one run, and a ceiling measured minutes before its
 * workload made the ratio swing with it. Taking turns in that order also cancels a steady drift
 * within the measurement. Each side warms up once, before its first slice.
 */
export async function measurePaired<C, W>(
  { slices, seconds, warmupSeconds }: PairedSettings,
  ceiling: MeasureSlice<C>,
  workload: MeasureSlice<W>,
): Promise<{ ceiling: C[]; workload: W[] }> {
  const sliceSeconds = seconds / slices;
  const measured = { ceiling: [] as C[], workload: [] as W[] };
  for (let slice = 0; slice < slices; slice++) {
    const warmup = slice === 0 ? warmupSeconds : 0;
    const ceilingSlice = async () => measured.ceiling.push(await ceiling(sliceSeconds, warmup));
    const workloadSlice = async () => measured.workload.push(await workload(sliceSeconds, warmup));
    if (slice % 2 === 0) {
      await ceilingSlice();
      await workloadSlice();
    } else {
      await workloadSlice();
      await ceilingSlice();
    }
  }
  return measured;
}

/** Per second over slices of different lengths: all that was done over all their time. */
export function perSecondOver(slices: ReadonlyArray<{ perSecond: number; seconds: number }>): number {
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  return slices.reduce((sum, slice) => sum + slice.perSecond * slice.seconds, 0) / seconds;
}

/**
 * One workload's figures from its slices: rates and counts over them all, CPU per request weighted
 * by each slice's requests; of the latencies, the median p50 and the highest p99 (the slices'
 * histograms stay in the load generator).
 */
export function mergeHttpFigures(slices: readonly HttpFigures[]): HttpFigures {
  const completed = slices.reduce((sum, slice) => sum + slice.completed, 0);
  const weighted = (value: (slice: HttpFigures) => number) =>
    completed === 0 ? 0 : slices.reduce((sum, slice) => sum + value(slice) * slice.completed, 0) / completed;
  const statuses: Record<string, number> = {};
  const cpuMs: Record<string, number> = {};
  for (const slice of slices) {
    for (const [status, count] of Object.entries(slice.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
    for (const [process, ms] of Object.entries(slice.cpuMsPerRequest)) cpuMs[process] = (cpuMs[process] ?? 0) + ms * slice.completed;
  }
  return {
    perSecond: perSecondOver(slices),
    seconds: slices.reduce((sum, slice) => sum + slice.seconds, 0),
    warmedUpSeconds: slices.reduce((sum, slice) => sum + slice.warmedUpSeconds, 0),
    p50Ms: median(slices.map((slice) => slice.p50Ms)),
    p99Ms: Math.max(...slices.map((slice) => slice.p99Ms)),
    meanMs: weighted((slice) => slice.meanMs),
    completed,
    non2xx: slices.reduce((sum, slice) => sum + slice.non2xx, 0),
    statuses,
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    cpuMsPerRequest: Object.fromEntries(Object.entries(cpuMs).map(([process, ms]) => [process, completed === 0 ? 0 : ms / completed])),
  };
}
