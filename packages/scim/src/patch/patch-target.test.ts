import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { parsePatchPath } from "./parse-patch-path.js";
import { resolvePatchTarget } from "./patch-target.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

test("resolvePatchTarget names the target in the schema's spelling", () => {
  const target = resolvePatchTarget(parsePatchPath('EMAILS[TYPE eq "work"].VALUE'), userResourceType);
  assert.equal(target.kind, "attribute");
  assert.equal(target.text, 'emails[type eq "work"].value');
});

test("resolvePatchTarget compiles the value filter", () => {
  const target = resolvePatchTarget(parsePatchPath('members[value eq "u1"]'), groupResourceType);
  assert.ok(target.kind === "attribute" && target.valueFilter);
  assert.equal(target.valueFilter.matches({ value: "u1" }), true);
  assert.equal(target.valueFilter.matches({ value: "u2" }), false);
});

test("resolvePatchTarget recognises a whole extension", () => {
  const target = resolvePatchTarget(parsePatchPath(enterprise), userResourceType);
  assert.equal(target.kind, "extension");
  assert.equal(target.text, enterprise);
});

test('resolvePatchTarget finds an unqualified extension attribute (Entra "manager")', () => {
  const target = resolvePatchTarget(parsePatchPath("manager"), userResourceType);
  assert.ok(target.kind === "attribute");
  assert.equal(target.resolved.extension, enterprise);
  assert.equal(target.text, `${enterprise}:manager`);
});

const invalid: [string, RegExp][] = [
  ["nickname2", /unknown attribute "nickname2"/],
  ['userName[value eq "x"]', /"userName" has no sub-attributes/],
  [`${enterprise}[department eq "x"]`, /unknown schema|is an extension/],
  ['emails[nope eq "x"]', /inside emails\[\.\.\.\] name a sub-attribute/],
  ["active[x pr]", /"active" has no sub-attributes/],
];

for (const [path, detail] of invalid) {
  test(`resolvePatchTarget rejects ${path} with 400 invalidPath`, () => {
    assert.throws(
      () => resolvePatchTarget(parsePatchPath(path), userResourceType),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidPath" && detail.test(error.detail),
    );
  });
}
