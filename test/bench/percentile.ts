/**
 * The value below which a share `q` of a benchmark's samples fall (the upper middle of an even
 * count for q = 0.5): noise on these shared machines moves means, not percentiles.
 */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** The middle value of a benchmark's samples. */
export function median(values: number[]): number {
  return percentile(values, 0.5);
}
