import { timestampFromDate } from "@bufbuild/protobuf/wkt";

/**
 * Instants are stored as fixed-width ISO-8601 UTC text (2026-01-31T12:00:00.000Z): it sorts and
 * compares as text identically on every store, and reads back without driver-specific Date
 * conversions.
 */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A stored instant as a protobuf Timestamp. */
export const timestampOfIso = (iso: string) => timestampFromDate(new Date(iso));
