// A tenant's extension attributes are held to each characteristic of RFC 7643 §7 by the same rules
// as core attributes, once extendResourceType adds the extension: a test per characteristic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError, type ScimType } from "../errors/scim-error.js";
import { matchesFilter } from "../filter/evaluate-filter.js";
import { parseFilter } from "../filter/parse-filter.js";
import { applyPatch } from "../patch/apply-patch.js";
import { parsePatchRequest } from "../patch/parse-patch-request.js";
import { keepImmutableValues } from "../resource/keep-immutable-values.js";
import { normalizeResource } from "../resource/normalize-resource.js";
import { projectResource } from "../resource/project-resource.js";
import type { ScimResource } from "../resource/json-value.js";
import { extendResourceType, userResourceType } from "./resource-types.js";
import { attribute, type SchemaDefinition } from "./schema-definition.js";
import { urn } from "./urns.js";

const acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const acmeSchema: SchemaDefinition = {
  id: acme,
  name: "AcmeUser",
  description: "",
  attributes: [
    attribute("tier", "string", { required: true, canonicalValues: ["gold", "silver"] }),
    attribute("code", "string", { caseExact: true, canonicalValues: ["A1", "B2"] }),
    attribute("seats", "integer"),
    attribute("regions", "string", { multiValued: true }),
    attribute("hiredAt", "dateTime"),
    attribute("badge", "string", { mutability: "immutable" }),
    attribute("score", "decimal", { mutability: "readOnly" }),
    attribute("pin", "string", { mutability: "writeOnly", returned: "never" }),
    attribute("secretish", "string", { mutability: "writeOnly" }),
    attribute("note", "string", { returned: "request" }),
    attribute("alias", "string", { caseExact: true }),
  ],
};
const acmeUsers = extendResourceType(userResourceType, [{ schema: acmeSchema, required: false }]);
const requiringAcme = extendResourceType(userResourceType, [{ schema: acmeSchema, required: true }]);

function body(extension: Record<string, unknown> | undefined): Record<string, unknown> {
  return { schemas: [urn.user, ...(extension ? [acme] : [])], userName: "bjensen", ...(extension ? { [acme]: extension } : {}) };
}

function create(extension: Record<string, unknown> | undefined, type = acmeUsers): ScimResource {
  return normalizeResource(body(extension), type, "create");
}

function patch(resource: ScimResource, operations: unknown[]): ScimResource {
  return applyPatch(
    resource,
    parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations }),
    acmeUsers,
  );
}

function assertScimError(run: () => unknown, scimType: ScimType, detail: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, scimType);
    assert.match(error.detail, detail);
    return true;
  });
}

test("type: values are coerced and checked by the extension's types, dateTimes stored in UTC", () => {
  const user = create({ tier: "gold", seats: 3, hiredAt: "2024-01-01T00:30:00+01:00" });
  assert.deepEqual(user[acme], { tier: "gold", seats: 3, hiredAt: "2023-12-31T23:30:00Z" });
  assertScimError(() => create({ tier: "gold", seats: "3" }), "invalidValue", new RegExp(`${acme}:seats must be an integer`));
  assertScimError(
    () => patch(create({ tier: "gold" }), [{ op: "add", path: `${acme}:seats`, value: 1.5 }]),
    "invalidValue",
    /seats must be an integer/,
  );
});

test("multiValued: a multi-valued attribute takes an array, a single-valued one refuses it", () => {
  assert.deepEqual(create({ tier: "gold", regions: ["eu", "us"] })[acme], { tier: "gold", regions: ["eu", "us"] });
  assertScimError(() => create({ tier: "gold", regions: "eu" }), "invalidValue", /regions is multi-valued/);
  assertScimError(() => create({ tier: ["gold"] }), "invalidValue", /tier is single-valued/);
});

test("required: a required attribute is needed when the extension is carried, and PATCH cannot remove it", () => {
  assert.deepEqual(create(undefined)["schemas"], [urn.user]);
  assertScimError(() => create({ seats: 1 }), "invalidValue", new RegExp(`${acme}:tier is required`));
  assertScimError(() => create(undefined, requiringAcme), "invalidValue", /extension ".*acme.*" is required/);
  const user = create({ tier: "gold" });
  assertScimError(() => patch(user, [{ op: "remove", path: `${acme}:tier` }]), "mutability", /tier is required and cannot be removed/);
  const plain = create(undefined);
  assertScimError(() => patch(plain, [{ op: "add", path: `${acme}:seats`, value: 2 }]), "invalidValue", /tier is required/);
});

test("mutability readOnly: values sent are ignored on create, and PATCH cannot set them", () => {
  assert.deepEqual(create({ tier: "gold", score: 9.5 })[acme], { tier: "gold" });
  assertScimError(
    () => patch(create({ tier: "gold" }), [{ op: "add", path: `${acme}:score`, value: 1 }]),
    "mutability",
    /score is readOnly/,
  );
});

test("mutability immutable: set on create or when unset, never changed by PUT or PATCH", () => {
  const stored = create({ tier: "gold", badge: "B-1" });
  // PUT: the same value passes, an omitted one is kept, a different one is refused.
  assert.equal((keepImmutableValues(stored, create({ tier: "silver", badge: "b-1" }), acmeUsers)[acme] as { badge: string }).badge, "B-1");
  assert.deepEqual(keepImmutableValues(stored, create(undefined), acmeUsers)[acme], { badge: "B-1" });
  assert.deepEqual(keepImmutableValues(stored, create(undefined), acmeUsers)["schemas"], [urn.user, acme]);
  assertScimError(() => keepImmutableValues(stored, create({ tier: "gold", badge: "B-2" }), acmeUsers), "mutability", /badge is immutable/);
  // Unset: a replacement may set it.
  const unset = create({ tier: "gold" });
  assert.equal((keepImmutableValues(unset, create({ tier: "gold", badge: "B-2" }), acmeUsers)[acme] as { badge: string }).badge, "B-2");
  // PATCH: add when unset, refuse a change.
  assert.equal((patch(unset, [{ op: "add", path: `${acme}:badge`, value: "B-3" }])[acme] as { badge: string }).badge, "B-3");
  assertScimError(() => patch(stored, [{ op: "replace", path: `${acme}:badge`, value: "B-2" }]), "mutability", /badge is immutable/);
});

test("mutability writeOnly: accepted and stored, never returned", () => {
  const user: ScimResource = { ...create({ tier: "gold", pin: "1234", secretish: "s" }), id: "1" };
  assert.deepEqual(user[acme], { tier: "gold", pin: "1234", secretish: "s" });
  assert.deepEqual(projectResource(user, {}, acmeUsers)[acme], { tier: "gold" });
  // Not even when asked for: writeOnly overrides returned "default".
  assert.equal(projectResource(user, { attributes: [{ schema: acme, attribute: "secretish" }] }, acmeUsers)[acme], undefined);
});

test("returned: request attributes only when asked for", () => {
  const user: ScimResource = { ...create({ tier: "gold", note: "n" }), id: "1" };
  assert.deepEqual(projectResource(user, {}, acmeUsers)[acme], { tier: "gold" });
  assert.deepEqual(projectResource(user, { attributes: [{ schema: acme, attribute: "note" }] }, acmeUsers)[acme], { note: "n" });
});

test("caseExact: filters compare caseExact attributes exactly and others folded", () => {
  const user = create({ tier: "Gold", alias: "BJ" });
  const matches = (filter: string) => matchesFilter(user, parseFilter(filter), acmeUsers);
  assert.equal(matches(`${acme}:tier eq "GOLD"`), true);
  assert.equal(matches(`${acme}:alias eq "BJ"`), true);
  assert.equal(matches(`${acme}:alias eq "bj"`), false);
  assert.equal(matches(`${acme}:alias sw "b"`), false);
});

test("canonicalValues: an extension's are enforced per caseExact and named in the error; the core's stay suggestions", () => {
  assert.equal((create({ tier: "GOLD" })[acme] as { tier: string }).tier, "GOLD");
  assertScimError(
    () => create({ tier: "bronze" }),
    "invalidValue",
    /tier must be one of its canonicalValues "gold", "silver", in any letter case/,
  );
  assertScimError(
    () => create({ tier: "gold", code: "a1" }),
    "invalidValue",
    /code must be one of its canonicalValues "A1", "B2", got "a1"/,
  );
  assertScimError(
    () => patch(create({ tier: "gold" }), [{ op: "replace", path: `${acme}:tier`, value: "x" }]),
    "invalidValue",
    /canonicalValues/,
  );
  // RFC 7643 §7: canonical values are suggestions; IdPs send emails.type "mobile" and the like.
  const emails = normalizeResource({ ...body(undefined), emails: [{ value: "a@example.com", type: "mobile" }] }, acmeUsers, "create");
  assert.deepEqual(emails["emails"], [{ value: "a@example.com", type: "mobile" }]);
});
