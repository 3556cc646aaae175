import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError, type ScimType } from "./scim-error.js";

// RFC 7644 §3.12, table 9: each scimType with the status it belongs to.
const table: [ScimType, number][] = [
  ["invalidFilter", 400],
  ["tooMany", 400],
  ["uniqueness", 409],
  ["mutability", 400],
  ["invalidSyntax", 400],
  ["invalidPath", 400],
  ["noTarget", 400],
  ["invalidValue", 400],
  ["invalidVers", 400],
  ["sensitive", 403],
];

for (const [scimType, status] of table) {
  test(`rfc7644 3.12 ${scimType} is ${status}`, () => {
    const error = ScimError.of(scimType, "detail");
    assert.equal(error.status, status);
    assert.deepEqual(error.toBody(), {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: String(status),
      scimType,
      detail: "detail",
    });
  });
}

test("an error without scimType has none in its body", () => {
  assert.deepEqual(ScimError.status(404, "Resource 2819c223 not found").toBody(), {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    status: "404",
    detail: "Resource 2819c223 not found",
  });
});
