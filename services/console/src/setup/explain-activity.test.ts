import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { explainRequest, stepsCompletedBy, type ChecklistFacts, type PortalIdp, type RequestFacts } from "./explain-activity.js";

const base: RequestFacts = { status: 200, method: "GET", path: "/services/scim/v2/Users", scimType: "", detail: "" };

const rows: Array<[string, Partial<RequestFacts>, PortalIdp, string | undefined, "failure" | "expected" | undefined]> = [
  ["a success explains nothing", { status: 201, method: "POST" }, "okta", undefined, undefined],
  [
    "no key",
    { status: 401, detail: "Authentication required: send the API key as `Authorization: Bearer <key>`." },
    "okta",
    "401: no API key was sent",
    "failure",
  ],
  [
    "bare key",
    { status: 401, detail: "The API key is right but was sent without its scheme: send it as …" },
    "entra",
    "401: the key was sent without `Bearer`",
    "failure",
  ],
  [
    "revoked key",
    { status: 401, detail: "The API key is not valid: it is unknown or has been revoked." },
    "okta",
    "401: the API key is not valid",
    "failure",
  ],
  ["suspended", { status: 401, detail: "This API key's tenant is suspended: …" }, "okta", "401: this tenant is suspended", "failure"],
  [
    "Entra's random id",
    { status: 404, path: "/services/scim/v2/Users/1f0e…" },
    "entra",
    "404: expected during Test Connection",
    "expected",
  ],
  [
    "Okta's stale id",
    { status: 404, method: "PUT", path: "/services/scim/v2/Users/1f0e…" },
    "okta",
    "404: no such user or group here",
    "failure",
  ],
  [
    "userName taken",
    { status: 409, method: "POST", scimType: "uniqueness" },
    "okta",
    "409: a user with this userName already exists",
    "failure",
  ],
  [
    "group name taken",
    { status: 409, method: "POST", path: "/services/scim/v2/Groups", scimType: "uniqueness" },
    "okta",
    "409: a group with this name already exists",
    "failure",
  ],
  ["bad attribute", { status: 400, method: "POST", scimType: "invalidValue" }, "entra", "400: invalidValue", "failure"],
  ["too many", { status: 429 }, "entra", "429: too many requests", "failure"],
  ["our failure", { status: 503 }, "okta", "503: the service failed", "failure"],
];

for (const [name, facts, idp, title, kind] of rows) {
  test(`explainRequest: ${name}`, () => {
    const explained = explainRequest({ ...base, ...facts }, idp);
    assert.equal(explained?.title, title);
    assert.equal(explained?.kind, kind);
  });
}

test("the explanations use the README's words", () => {
  const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
  const quoted = [
    "no `Authorization` header, or one without the `Bearer` prefix holding no key we issued",
    "send `Bearer <key>` with a key of this install",
    "our key, sent without the `Bearer` prefix: a field that sends its value as typed was given the bare key",
    "pick the bearer-token field or template, or type `Bearer ` before the key",
    "a mistyped, revoked or another install's key",
    "a second group of the same name, in any letter case, is refused with `409 uniqueness`",
    "A create (or a rename by `PUT`) named a userName another user of the tenant has, in any letter case",
    "give the Okta user another userName, or deactivate and rename the holder from the app that owns it",
    "Add `userName` as a matching attribute so Entra takes the existing user over, or change the userName in Entra",
    "Fix the mapping (step 5), then retry the failed provisioning tasks in Okta.",
    "remove or remap it, then provision the user on demand to check.",
  ];
  for (const text of quoted) assert.ok(readme.includes(text), `README.md does not say: ${text}`);
});

test("stepsCompletedBy: any request of the chosen IdP is the connector test; 201 POSTs create the first user and group", () => {
  const request = (facts: Partial<ChecklistFacts>): ChecklistFacts => ({
    ...base,
    identityProvider: "okta",
    resourceType: "User",
    ...facts,
  });
  assert.deepEqual(stepsCompletedBy(request({}), "okta"), ["connector"]);
  assert.deepEqual(stepsCompletedBy(request({}), "entra"), []);
  assert.deepEqual(stepsCompletedBy(request({ method: "POST", status: 201 }), "okta"), ["connector", "user"]);
  assert.deepEqual(stepsCompletedBy(request({ method: "POST", status: 409 }), "okta"), ["connector"]);
  assert.deepEqual(
    stepsCompletedBy(request({ method: "POST", status: 201, resourceType: "Group", path: "/services/scim/v2/Groups" }), "okta"),
    ["connector", "group"],
  );
});
