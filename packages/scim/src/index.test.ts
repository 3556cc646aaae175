import { test } from "node:test";
import assert from "node:assert/strict";
import * as scim from "./index.js";

// The README's example, run as a test so the documentation cannot rot.
test("README example: parse, resolve, match, patch and project", () => {
  const user = scim.normalizeResource(
    { schemas: [scim.urn.user], userName: "bjensen", active: "True", emails: [{ value: "b@example.com", type: "work", primary: true }] },
    scim.userResourceType,
    "create",
  );
  const filter = scim.resolveFilter(scim.parseFilter('USERNAME eq "BJensen" and emails[type eq "work"]'), scim.userResourceType);
  assert.equal(scim.formatFilter(filter), 'userName eq "BJensen" and emails[type eq "work"]');
  assert.equal(scim.matchesFilter(user, filter, scim.userResourceType), true);

  const operations = scim.parsePatchRequest({
    schemas: [scim.urn.patchOp],
    Operations: [{ op: "Replace", path: "active", value: "False" }],
  });
  const patched = scim.applyPatch(user, operations, scim.userResourceType);
  assert.equal(patched["active"], false);

  const attributes = scim.parseAttributeList("userName", scim.userResourceType);
  assert.deepEqual(scim.projectResource({ ...patched, id: "u1" }, { attributes }, scim.userResourceType), {
    schemas: [scim.urn.user],
    id: "u1",
    userName: "bjensen",
  });
});

test("errors carry the RFC 7644 §3.12 body", () => {
  try {
    scim.parseFilter("userName");
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof scim.ScimError);
    assert.equal(error.toBody().scimType, "invalidFilter");
  }
});

// The README's discovery example.
test("README example: the discovery documents", () => {
  const discovery = { resourceTypes: [scim.userResourceType], baseUrl: "https://example.com/scim/v2" };
  const config = scim.serviceProviderConfig(
    { patch: true, bulk: false, filter: { supported: true, maxResults: 200 }, changePassword: false, sort: true, etag: true },
    { location: "https://example.com/scim/v2/ServiceProviderConfig" },
  );
  assert.deepEqual(config["filter"], { supported: true, maxResults: 200 });

  const resourceTypes = scim.resourceTypeListResponse(discovery);
  assert.deepEqual(
    (resourceTypes["Resources"] as scim.JsonObject[]).map((r) => r["id"]),
    ["User"],
  );

  const schemas = scim.schemaListResponse(discovery);
  assert.deepEqual(
    (schemas["Resources"] as scim.JsonObject[]).map((s) => s["name"]),
    ["User", "EnterpriseUser", "Service Provider Configuration", "ResourceType", "Schema"],
  );

  const user = scim.findSchemaDocument("urn:ietf:params:scim:schemas:core:2.0:User", discovery);
  assert.deepEqual(user["meta"], {
    resourceType: "Schema",
    location: "https://example.com/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
  });
  assert.throws(
    () => scim.findSchemaDocument("urn:example:Nope", discovery),
    (error) => error instanceof scim.ScimError && error.status === 404,
  );
});
