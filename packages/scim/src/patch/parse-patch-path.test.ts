import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { PatchPath } from "./patch-operation.js";
import { parsePatchPath } from "./parse-patch-path.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const table: [string, PatchPath][] = [
  ["userName", { attribute: "userName" }],
  ["name.familyName", { attribute: "name", subAttribute: "familyName" }],
  [`${enterprise}:employeeNumber`, { schema: enterprise, attribute: "employeeNumber" }],
  [`${enterprise}:manager`, { schema: enterprise, attribute: "manager" }],
  [`${enterprise}:manager.value`, { schema: enterprise, attribute: "manager", subAttribute: "value" }],
  [enterprise, { schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0", attribute: "User" }],
  [
    'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    {
      attribute: "members",
      valueFilter: { kind: "compare", path: { attribute: "value" }, operator: "eq", value: "2819c223-7f76-453a-919d-413861904646" },
    },
  ],
  [
    'emails[type eq "work"].value',
    {
      attribute: "emails",
      subAttribute: "value",
      valueFilter: { kind: "compare", path: { attribute: "type" }, operator: "eq", value: "work" },
    },
  ],
  [
    // Entra capitalises sub-attributes (MS-USE attribute table)
    'emails[type eq "other"].Value',
    {
      attribute: "emails",
      subAttribute: "Value",
      valueFilter: { kind: "compare", path: { attribute: "type" }, operator: "eq", value: "other" },
    },
  ],
  [
    'addresses[type eq "work" and primary eq true].streetAddress',
    {
      attribute: "addresses",
      subAttribute: "streetAddress",
      valueFilter: {
        kind: "and",
        left: { kind: "compare", path: { attribute: "type" }, operator: "eq", value: "work" },
        right: { kind: "compare", path: { attribute: "primary" }, operator: "eq", value: true },
      },
    },
  ],
];

for (const [text, expected] of table) {
  test(`rfc7644 3.5.2 parsePatchPath ${text}`, () => {
    assert.deepEqual(parsePatchPath(text), expected);
  });
}

const invalid: [string, RegExp][] = [
  ["", /the path is empty/],
  ["name.givenName.x", /is not an attribute path/],
  ["emails[type eq]", /expected a value after "eq"/],
  ['emails[type eq "work"', /closing the "\[" at position 6/],
  ['emails[type eq "work"] junk', /expected the end of the path at position 23/],
  ['emails[type eq "work"].', /"\." at position 22 is not a valid sub-attribute/],
  ["name.givenName[x pr]", /must follow an attribute/],
  ["user name", /expected the end of the path at position 5/],
];

for (const [text, detail] of invalid) {
  test(`parsePatchPath rejects ${JSON.stringify(text)} with 400 invalidPath`, () => {
    assert.throws(
      () => parsePatchPath(text),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidPath" && detail.test(error.detail),
    );
  });
}
