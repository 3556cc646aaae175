/** An instant parsed from an xsd:dateTime, precise to the nanosecond for comparisons. */
export interface DateTimeValue {
  /** Millisecond precision, for display and storage. */
  readonly date: Date;
  /** Nanoseconds since the Unix epoch: Entra and .NET send 7 fractional digits. */
  readonly epochNanoseconds: bigint;
}

// RFC 7643 §2.3.5: dateTime is an xsd:dateTime: [-]YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm].
const xsdDateTime = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xsd:dateTime (RFC 7643 §2.3.5). A value without a time zone is taken as UTC,
 * because XML Schema leaves it undetermined and an instant is needed to compare.
 * Returns undefined when the text is not a valid dateTime.
 */
export function parseDateTime(text: string): DateTimeValue | undefined {
  const match = xsdDateTime.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = parts;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return undefined;
  const offsetMinutes = parseZoneOffset(zone);
  if (offsetMinutes === undefined) return undefined;

  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  if (utc.getUTCDate() !== d || utc.getUTCMonth() !== mo - 1) return undefined;
  utc.setUTCHours(h, mi, s, 0);
  const baseMilliseconds = utc.getTime() - offsetMinutes * 60_000;

  const fractionNanoseconds = Number((fraction ?? "").padEnd(9, "0").slice(0, 9));
  return {
    date: new Date(baseMilliseconds + Math.floor(fractionNanoseconds / 1_000_000)),
    epochNanoseconds: BigInt(baseMilliseconds) * 1_000_000n + BigInt(fractionNanoseconds),
  };
}

function parseZoneOffset(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/**
 * An instant as an RFC 3339 UTC string, e.g. "2015-10-10T14:38:21.1234567Z": the fraction is kept
 * to the nanosecond, without trailing zeros, so formatting never changes what a value compares as.
 */
export function formatUtcDateTime(value: DateTimeValue): string {
  const second = value.epochNanoseconds / 1_000_000_000n - (value.epochNanoseconds % 1_000_000_000n < 0n ? 1n : 0n);
  const fraction = value.epochNanoseconds - second * 1_000_000_000n;
  const whole = new Date(Number(second) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  const digits = fraction === 0n ? "" : `.${fraction.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${whole}${digits}Z`;
}
