/** The label value of the values past the cap, all together. */
export const overflowLabel = "other";

/**
 * A label whose values come from clients (tenant ids) kept to a fixed number of series: the first
 * `max` distinct values seen are their own label values, every later one is `other`. Which values
 * keep their own label is first come, first served since the process started, so it can differ
 * between gateways and restarts; the sum over all values is always right. Remembers at most `max`
 * values, whatever the number of tenants.
 */
export function createBoundedLabel(max: number): (value: string) => string {
  const kept = new Set<string>();
  return (value) => {
    if (kept.has(value)) return value;
    if (kept.size >= max) return overflowLabel;
    kept.add(value);
    return value;
  };
}
