import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUtcDateTime, parseDateTime } from "./parse-date-time.js";

const valid: [string, string][] = [
  ["2011-08-01T18:29:49.793Z", "2011-08-01T18:29:49.793Z"], // RFC 7643 §8.1 example
  ["2011-08-01T21:32:44.882Z", "2011-08-01T21:32:44.882Z"],
  ["2019-09-18T18:15:26.5788954+00:00", "2019-09-18T18:15:26.578Z"], // Microsoft's test collection
  ["2015-10-10T14:38:21.8617979-07:00", "2015-10-10T21:38:21.861Z"],
  ["2024-02-29T00:00:00", "2024-02-29T00:00:00.000Z"], // no zone: taken as UTC
  ["2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.000Z"],
];

for (const [text, iso] of valid) {
  test(`parseDateTime accepts ${text}`, () => {
    assert.equal(parseDateTime(text)?.date.toISOString(), iso);
  });
}

const invalid = [
  "2011-08-01",
  "2011-08-01 18:29:49Z",
  "2011-13-01T00:00:00Z",
  "2023-02-29T00:00:00Z",
  "2011-08-01T24:00:00Z",
  "2011-08-01T18:29:49+15:00",
  "yesterday",
  "",
];

for (const text of invalid) {
  test(`parseDateTime rejects ${JSON.stringify(text)}`, () => {
    assert.equal(parseDateTime(text), undefined);
  });
}

test("parseDateTime keeps sub-millisecond precision for ordering", () => {
  const earlier = parseDateTime("2019-09-18T18:15:26.5788954Z");
  const later = parseDateTime("2019-09-18T18:15:26.5788976Z");
  assert.ok(earlier && later);
  assert.equal(earlier.date.getTime(), later.date.getTime());
  assert.ok(earlier.epochNanoseconds < later.epochNanoseconds);
});

const utcForms: [string, string][] = [
  ["2015-10-10T14:38:21.8617979-07:00", "2015-10-10T21:38:21.8617979Z"], // nanoseconds kept
  ["2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z"],
  ["2024-02-29T00:00:00.500", "2024-02-29T00:00:00.5Z"],
  ["1969-12-31T23:59:59.25Z", "1969-12-31T23:59:59.25Z"], // before the epoch
];

for (const [text, utc] of utcForms) {
  test(`formatUtcDateTime gives ${text} as ${utc}, the same instant`, () => {
    const parsed = parseDateTime(text);
    assert.ok(parsed !== undefined);
    const formatted = formatUtcDateTime(parsed);
    assert.equal(formatted, utc);
    assert.equal(parseDateTime(formatted)?.epochNanoseconds, parsed.epochNanoseconds);
  });
}
