/** The middle value of a benchmark's samples (the upper middle of an even count): noise on these shared machines moves means, not medians. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
