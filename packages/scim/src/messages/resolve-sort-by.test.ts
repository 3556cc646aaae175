import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { resolveSortBy } from "./resolve-sort-by.js";

const invalidValue = (pattern: RegExp) => (error: unknown) =>
  error instanceof ScimError && error.scimType === "invalidValue" && pattern.test(error.message);

test("rfc7644 3.4.2.3 sortBy names a simple attribute, a sub-attribute, or a multi-valued attribute", () => {
  assert.deepEqual(resolveSortBy({ attribute: "USERNAME" }, userResourceType).path, { attribute: "userName" });
  assert.deepEqual(resolveSortBy({ attribute: "name", subAttribute: "givenname" }, userResourceType).path, {
    attribute: "name",
    subAttribute: "givenName",
  });
  // A multi-valued attribute sorts by its primary value, else its first (§3.4.2.3).
  assert.deepEqual(resolveSortBy({ attribute: "emails" }, userResourceType).path, { attribute: "emails" });
  assert.deepEqual(resolveSortBy({ attribute: "displayName" }, groupResourceType).path, { attribute: "displayName" });
});

test("rfc7644 3.4.2.3 a singular complex attribute is refused: the path must name a sub-attribute", () => {
  assert.throws(() => resolveSortBy({ attribute: "name" }, userResourceType), invalidValue(/name\.formatted/));
  assert.throws(() => resolveSortBy({ attribute: "meta" }, groupResourceType), invalidValue(/sub-attributes/));
  const manager = { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", attribute: "manager" };
  assert.throws(() => resolveSortBy(manager, userResourceType), invalidValue(/manager\.value/));
});

test("rfc7643 7 an attribute that is never returned sorts nothing and is refused", () => {
  assert.throws(() => resolveSortBy({ attribute: "password" }, userResourceType), invalidValue(/never returned/));
});

test("an unknown sortBy is invalidValue, not invalidFilter", () => {
  assert.throws(() => resolveSortBy({ attribute: "shoeSize" }, userResourceType), invalidValue(/shoeSize/));
});
