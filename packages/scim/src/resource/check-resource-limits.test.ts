import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { defaultScimLimits } from "../limits/scim-limits.js";
import { applyPatch } from "../patch/apply-patch.js";
import { parsePatchRequest } from "../patch/parse-patch-request.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { urn } from "../schema/urns.js";
import { normalizeResource } from "./normalize-resource.js";

const user = (more: Record<string, unknown>) => ({ schemas: [urn.user], userName: "ada", ...more });
const group = (more: Record<string, unknown>) => ({ schemas: [urn.group], displayName: "Admins", ...more });
const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `ada${i}@example.com` }));
const members = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` }));

function invalidValue(detail: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ScimError);
    assert.equal(error.scimType, "invalidValue");
    assert.match(error.detail, detail);
    return true;
  };
}

/** body -> undefined (stored) or the detail of the 400 invalidValue (POST and PUT alike). */
const bodies: Array<[string, typeof userResourceType, Record<string, unknown>, RegExp | undefined]> = [
  ["an ordinary user", userResourceType, user({ displayName: "Ada Lovelace", emails: emails(3) }), undefined],
  ["userName of 257 characters", userResourceType, user({ userName: "a".repeat(257) }), /^userName is 257 characters/],
  ["externalId of 100 KB", userResourceType, user({ externalId: "x".repeat(100_000) }), /^externalId is 100000 characters/],
  ["displayName of 4.3 MB", userResourceType, user({ displayName: "d".repeat(4_300_000) }), /^displayName is 4300000 characters/],
  ["userName with NUL", userResourceType, user({ userName: "ada\u0000" }), /^userName contains the control character U\+0000/],
  ["userName with a bidi override", userResourceType, user({ userName: "ad\u202emin" }), /^userName contains the invisible character/],
  ["externalId with a zero-width space", userResourceType, user({ externalId: "x\u200by" }), /^externalId contains the invisible/],
  ["userName with a lone surrogate", userResourceType, user({ userName: "ada\ud800" }), /^userName is not well-formed Unicode/],
  ["an email value with LF", userResourceType, user({ emails: [{ value: "a@b\n" }] }), /^emails\[0\]\.value contains the control/],
  ["a formatted address with newlines", userResourceType, user({ addresses: [{ formatted: "1 Main St\nSpringfield" }] }), undefined],
  [
    "an enterprise attribute with NUL",
    userResourceType,
    { ...user({}), schemas: [urn.user, urn.enterpriseUser], [urn.enterpriseUser]: { employeeNumber: "7\u0000" } },
    /enterprise:2\.0:User:employeeNumber contains the control/,
  ],
  ["200 emails", userResourceType, user({ emails: emails(200) }), undefined],
  ["201 emails", userResourceType, user({ emails: emails(201) }), /^emails has 201 values; at most 200/],
  [
    "a resource over 64 KiB",
    userResourceType,
    user({ roles: Array.from({ length: 20 }, (_, i) => ({ value: `${i}${"r".repeat(4000)}` })) }),
    /^the User would be \d+ bytes as JSON; at most 65536/,
  ],
  [
    "a group displayName with a zero-width joiner",
    groupResourceType,
    group({ displayName: "Ad\u200dmins" }),
    /^displayName contains the invisible/,
  ],
  ["100,000 members (their rows are not part of the size)", groupResourceType, group({ members: members(100_000) }), undefined],
  ["100,001 members", groupResourceType, group({ members: members(100_001) }), /^members has 100001 values; at most 100000/],
];

for (const [name, resourceType, body, expected] of bodies) {
  test(`normalizeResource: ${name} -> ${expected === undefined ? "stored" : "400 invalidValue"}`, () => {
    for (const context of ["create", "replace"] as const) {
      const normalize = () => normalizeResource(body, resourceType, context);
      if (expected === undefined) normalize();
      else assert.throws(normalize, invalidValue(expected));
    }
  });
}

test("normalizeResource: a setting can tighten a limit", () => {
  assert.throws(
    () =>
      normalizeResource(user({ userName: "a".repeat(65) }), userResourceType, "create", { ...defaultScimLimits, maxIdentifierLength: 64 }),
    invalidValue(/at most 64/),
  );
});

const patch = (...operations: unknown[]) => parsePatchRequest({ schemas: [urn.patchOp], Operations: operations });
const stored = normalizeResource(user({ emails: emails(1) }), userResourceType, "create");

test("applyPatch: the result is held to the same rules (Operations[i] is not blamed: the result is)", () => {
  assert.throws(
    () => applyPatch(stored, patch({ op: "replace", path: "displayName", value: "d".repeat(4_300_000) }), userResourceType),
    invalidValue(/^Operations\[0\]: displayName is 4300000 characters|^displayName is 4300000 characters/),
  );
  assert.throws(
    () => applyPatch(stored, patch({ op: "replace", path: "userName", value: "ad\u0000" }), userResourceType),
    invalidValue(/U\+0000/),
  );
});

test("applyPatch: a PATCH may repair a value a stricter rule now refuses", () => {
  const legacy = { ...stored, displayName: "d".repeat(5000) };
  assert.equal(applyPatch(legacy, patch({ op: "replace", path: "displayName", value: "Ada" }), userResourceType)["displayName"], "Ada");
});

test("applyPatch: 1,000 add-emails operations fail at the 201st value, in well under a second", () => {
  const operations = Array.from({ length: 1000 }, (_, i) => ({ op: "add", path: "emails", value: [{ value: `x${i}@example.com` }] }));
  const started = performance.now();
  assert.throws(
    () => applyPatch(stored, patch(...operations), userResourceType),
    invalidValue(/^Operations\[199\]: emails has 201 values/),
  );
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
});

test("applyPatch: 1,000 operations re-adding one email stay linear", () => {
  const operations = Array.from({ length: 1000 }, () => ({
    op: "add",
    path: "emails",
    value: [{ value: "ada0@example.com", type: "work" }],
  }));
  const started = performance.now();
  const patched = applyPatch(stored, patch(...operations), userResourceType);
  assert.equal((patched["emails"] as unknown[]).length, 1);
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
});

test("applyPatch: more operations than maxPatchOperations from a gRPC caller are refused before any is applied", () => {
  const operations = Array.from({ length: 1001 }, () => ({ op: "replace" as const, value: { active: true } }));
  assert.throws(() => applyPatch(stored, operations, userResourceType), invalidValue(/1001 operations; at most 1000/));
});
