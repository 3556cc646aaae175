import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { urn } from "../schema/urns.js";
import { parsePatchRequest } from "./parse-patch-request.js";
import { splitMemberOperations } from "./split-member-operations.js";

const body = (operations: unknown[]) => ({ schemas: [urn.patchOp], Operations: operations });
const memberValues = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ value: `m${from + i}` }));

function refused(scimType: string, detail: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.scimType, scimType);
    assert.match(error.detail, detail);
    return true;
  };
}

test("1,000 operations are accepted; 8,000 are a 400 invalidValue naming the cap, without reading them", () => {
  assert.equal(parsePatchRequest(body(Array.from({ length: 1000 }, () => ({ op: "add", path: "emails", value: [] })))).length, 1000);
  // Operations that would each be invalid: only the count is looked at.
  assert.throws(
    () => parsePatchRequest(body(Array.from({ length: 8000 }, () => 42))),
    refused("invalidValue", /8000 operations; at most 1000/),
  );
});

test("a PATCH path filter of 20,000 terms is a 400 invalidPath, not a stack overflow", () => {
  const path = `emails[${Array.from({ length: 20_000 }, (_, i) => `value eq "${i}"`).join(" or ")}]`;
  assert.throws(() => parsePatchRequest(body([{ op: "remove", path }])), refused("invalidPath", /more than 200 comparisons/));
});

test("10,000 member values in one group PATCH are accepted (the documented batch); 10,001 are refused", () => {
  const steps = splitMemberOperations(parsePatchRequest(body([{ op: "add", path: "members", value: memberValues(10_000) }])));
  assert.equal(steps.length, 1);
  const over = parsePatchRequest(
    body([
      { op: "add", path: "members", value: memberValues(5000) },
      { op: "add", value: { members: memberValues(5001, 5000) } },
    ]),
  );
  assert.throws(() => splitMemberOperations(over), refused("invalidValue", /more than 10000 members/));
});

test("a members filter selecting 201 ids is refused by the filter limit", () => {
  const path = `members[${Array.from({ length: 201 }, (_, i) => `value eq "m${i}"`).join(" or ")}]`;
  assert.throws(() => parsePatchRequest(body([{ op: "remove", path }])), refused("invalidPath", /more than 200 comparisons/));
});
