import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptedRequestId, requestIdFor } from "./request-id.js";

const cases: Array<[string | undefined, boolean, string]> = [
  ["4bf92f3577b34da6a3ce929d0e0e4736", true, "hex, as most load balancers send"],
  ["Root=1-67891233-abcdef012345678912345678", true, "AWS's trace header style"],
  ["f47ac10b-58cc-4372-a567-0e02b2c3d479", true, "a UUID"],
  ["a".repeat(128), true, "the longest kept"],
  ["a".repeat(129), false, "too long to be worth a log column"],
  ["", false, "empty"],
  [undefined, false, "absent"],
  ["abc def", false, "a space"],
  ['x","level":"fatal', false, "JSON smuggled into a log line"],
  ["line\nbreak", false, "a line break"],
  ["é", false, "non-ASCII"],
];

for (const [value, kept, why] of cases) {
  test(`${kept ? "keeps" : "replaces"} ${JSON.stringify(value)}: ${why}`, () => {
    assert.equal(acceptedRequestId(value), kept ? value : undefined);
    const id = requestIdFor(value);
    if (kept) assert.equal(id, value);
    else assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
}

test("a made id is new each time", () => {
  assert.notEqual(requestIdFor(undefined), requestIdFor(undefined));
});
