import { test } from "node:test";
import assert from "node:assert/strict";
import { identityProviderOf } from "./identity-provider.js";

const rows: Array<[string | undefined, ReturnType<typeof identityProviderOf>]> = [
  ["Okta SCIM Client 1.0.0", "okta"],
  ["OKTA SCIM Integration", "okta"],
  ["Microsoft.AAD.Provisioning/1.0", "entra"],
  ["Azure AD SCIM client", "entra"],
  ["Microsoft Entra provisioning", "entra"],
  ["curl/8.5.0", "other"],
  ["node", "other"],
  ["Oktane-fan-bot", "other"],
  ["", "other"],
  [undefined, "other"],
];

for (const [userAgent, expected] of rows) {
  test(`identityProviderOf(${JSON.stringify(userAgent)}) is ${expected}`, () => {
    assert.equal(identityProviderOf(userAgent), expected);
  });
}
