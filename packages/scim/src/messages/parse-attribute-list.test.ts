import { test } from "node:test";
import assert from "node:assert/strict";
import { ScimError } from "../errors/scim-error.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { parseAttributeList } from "./parse-attribute-list.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const table: [string, string, AttributePath[]][] = [
  ["single name", "userName", [{ attribute: "userName" }]],
  ["list with spaces and case (Microsoft: userName,emails)", " USERNAME , Emails ", [{ attribute: "userName" }, { attribute: "emails" }]],
  ["sub-attribute", "name.givenName", [{ attribute: "name", subAttribute: "givenName" }]],
  [
    "core URN prefix dropped (rfc7644 3.10)",
    "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
    [{ attribute: "name", subAttribute: "familyName" }],
  ],
  ["extension attribute", `${enterprise}:employeeNumber`, [{ schema: enterprise, attribute: "employeeNumber" }]],
  [
    "whole extension",
    enterprise,
    ["employeeNumber", "costCenter", "organization", "division", "department", "manager"].map((a) => ({
      schema: enterprise,
      attribute: a,
    })),
  ],
  ["duplicates removed", "userName,username", [{ attribute: "userName" }]],
  ["unknown names skipped", "userName,favouriteColour,name.nick", [{ attribute: "userName" }]],
  ["empty entries skipped", ",userName,,", [{ attribute: "userName" }]],
  ["Microsoft: value filter names the attribute", 'emails[type eq "work"]', [{ attribute: "emails" }]],
  ["a comma inside a value filter", 'emails[value eq "a,b"],userName', [{ attribute: "emails" }, { attribute: "userName" }]],
  ["meta sub-attribute", "meta.lastModified", [{ attribute: "meta", subAttribute: "lastModified" }]],
];

for (const [name, text, expected] of table) {
  test(`parseAttributeList: ${name}`, () => {
    assert.deepEqual(parseAttributeList(text, userResourceType), expected);
  });
}

test("parseAttributeList: Entra's excludedAttributes=members", () => {
  assert.deepEqual(parseAttributeList("members", groupResourceType), [{ attribute: "members" }]);
});

const malformed: [string, RegExp][] = [
  ["user name", /attribute list entry "user name": expected the end of the attribute list entry at position 5/],
  ["emails[type eq", /attribute list entry "emails\[type eq"/],
  ["1abc", /not an attribute path/],
];

for (const [text, detail] of malformed) {
  test(`parseAttributeList rejects ${JSON.stringify(text)} with 400 invalidValue`, () => {
    assert.throws(
      () => parseAttributeList(text, userResourceType),
      (error: unknown) =>
        error instanceof ScimError && error.status === 400 && error.scimType === "invalidValue" && detail.test(error.detail),
    );
  });
}
