import type { DateTimeValue } from "@scimgw/scim";

/**
 * A dateTime as the search document holds it and filters on it compare: UTC with nine fractional
 * digits. The width is fixed, so text order is time order (sorts and gt/lt compare the text), and
 * instants that differ below the millisecond stay apart, as the SCIM core compares them (Entra
 * sends seven digits). Columns such as created_at keep the directory's own millisecond form.
 */
export function documentDateTime(instant: DateTimeValue): string {
  const nanosecondsPerSecond = 1_000_000_000n;
  const fraction = ((instant.epochNanoseconds % nanosecondsPerSecond) + nanosecondsPerSecond) % nanosecondsPerSecond;
  const second = (instant.epochNanoseconds - fraction) / nanosecondsPerSecond;
  const whole = new Date(Number(second) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  return `${whole}.${fraction.toString().padStart(9, "0")}Z`;
}
