import { test } from "node:test";
import assert from "node:assert/strict";
import { redactQuery } from "./redact-query.js";

const cases: Array<[string, string, string]> = [
  ["", "", "no query"],
  ["startIndex=1&count=100", "startIndex=1&count=100", "paging is shown"],
  [
    "attributes=userName,emails&sortBy=userName&sortOrder=descending",
    "attributes=userName,emails&sortBy=userName&sortOrder=descending",
    "shape is shown",
  ],
  ['filter=userName eq "alice@example.com"', 'filter=userName eq "…"', "Okta's lookup by userName"],
  ["filter=userName%20eq%20%22bob%22", 'filter=userName eq "…"', "percent-encoded"],
  ['filter=externalId eq "a\\"b" and active eq true', 'filter=externalId eq "…" and active eq true', "escaped quotes; booleans kept"],
  ['filter=emails[type eq "work" and value co "@acme"]', 'filter=emails[type eq "…" and value co "…"]', "value paths"],
  [
    "filter=employeeNumber eq 12345 or meta.lastModified gt 2026-01-01T00:00:00Z",
    "filter=employeeNumber eq … or meta.lastModified gt …",
    "bare values",
  ],
  ["filter=title pr and manager eq null", "filter=title pr and manager eq null", "presence and null"],
  ['filter=userName eq "unterminated', 'filter=userName eq "…', "an unterminated string"],
  ["access_token=s3cr3t&count=5", "access_token=…&count=5", "unknown parameters hidden"],
];

for (const [query, expected, why] of cases) {
  test(`redacts ${JSON.stringify(query)}: ${why}`, () => {
    assert.equal(redactQuery(query), expected);
  });
}

test("a long query is cut", () => {
  const redacted = redactQuery(`filter=${"a pr or ".repeat(200)}b pr`);
  assert.equal(redacted.length, 513);
  assert.ok(redacted.endsWith("…"));
});
