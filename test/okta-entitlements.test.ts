// Okta's entitlement discovery ("Build a SCIM 2.0 server with entitlements") and Entra's app role
// provisioning against the real product: a tenant publishes a /Licenses entitlement type and a
// /Roles role type with the admin CLI; Okta reads /ResourceTypes, /Schemas and each endpoint as its
// "SCIM 2.0 Entitlements Test" does, then assigns entitlements and roles in its user shapes; Entra
// PATCHes roles with both of its app role mappings. Each result is read back over SCIM, over
// gRPC and in the change feed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ChangedResourceType, createDirectoryClient, EntitlementKind, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { oktaHeaders } from "./support/okta-headers.js";
import { Product } from "./support/product.js";
import {
  listResponseUrn,
  patchOpUrn,
  randomUserName,
  scimClient,
  userSchemaUrn,
  type ScimClient,
  type ScimJson,
} from "./support/scim-client.js";
import { assertScimError } from "./support/scim-checks.js";
import { resourceTypeProblems, schemaProblems } from "./support/discovery-checks.js";
import { eventsUntil } from "./support/change-events.js";

const entitlementUrn = "urn:okta:scim:schemas:core:1.0:Entitlement";
const roleUrn = "urn:okta:scim:schemas:core:1.0:Role";

for (const store of await storeKindsUnderTest()) {
  describe(`Okta entitlements and Entra app roles on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    let directory: DirectoryClient;
    let tenantId: string;

    before(async () => {
      product = await Product.start({ store });
      scim = scimClient(product.baseUrl, product.apiKey);
      tenantId = await product.tenantIdOf("default");
      // Publish the catalog first, as the README says: Okta reads it when provisioning is enabled.
      await product.admin(["entitlements", "types", "add", "default", "License", "--endpoint", "/Licenses", "--description", "Licenses"]);
      await product.admin(["entitlements", "types", "add", "default", "Role", "--endpoint", "/Roles", "--kind", "role"]);
      await product.admin(["entitlements", "add", "default", "License", "basic", "Basic", "--description", "The free tier"]);
      await product.admin(["entitlements", "add", "default", "License", "pro", "Pro"]);
      await product.admin(["entitlements", "add", "default", "Role", "admin", "Administrator"]);
      await product.admin(["entitlements", "add", "default", "Role", "reader", "Reader"]);
      directory = createDirectoryClient({
        address: product.directoryAddresses[0]!,
        serviceCredential: await product.issueServiceCredential("entitlements-e2e", "read-only"),
      });
    });
    after(async () => {
      directory?.close();
      await product.stop();
    });

    test("Okta's discovery: /ResourceTypes, /Schemas, then each endpoint with count=1&startIndex=1", async () => {
      const resourceTypes = await scim.get("/ResourceTypes", { headers: oktaHeaders });
      assert.equal(resourceTypes.status, 200);
      assert.deepEqual(resourceTypes.body.schemas, [listResponseUrn]);
      const byId = new Map<string, ScimJson>(resourceTypes.body.Resources.map((r: ScimJson) => [r.id, r]));
      assert.deepEqual([...byId.keys()], ["User", "Group", "License", "Role"]);
      assert.equal(resourceTypes.body.totalResults, 4);
      // Okta's shapes: id = name (the entitlements' type), endpoint, schema = Okta's URN.
      const license = byId.get("License");
      assert.equal(license.name, "License");
      assert.equal(license.endpoint, "/Licenses");
      assert.equal(license.schema, entitlementUrn);
      assert.equal(license.description, "Licenses");
      assert.equal(license.meta.location, `${product.baseUrl}/ResourceTypes/License`);
      assert.equal(byId.get("Role").schema, roleUrn);
      assert.equal(byId.get("Role").endpoint, "/Roles");

      const schemas = await scim.get("/Schemas", { headers: oktaHeaders });
      assert.equal(schemas.status, 200);
      const schemaIds: string[] = schemas.body.Resources.map((s: ScimJson) => s.id);
      for (const resource of schemas.body.Resources) assert.deepEqual(schemaProblems(resource), [], resource.id);
      for (const resourceType of resourceTypes.body.Resources) assert.deepEqual(resourceTypeProblems(resourceType, schemaIds), []);
      const entitlementSchema = schemas.body.Resources.find((s: ScimJson) => s.id === entitlementUrn);
      assert.deepEqual(
        entitlementSchema.attributes.map((a: ScimJson) => a.name),
        ["id", "displayName", "type", "description"],
      );
      const roleSchema = (await scim.get(`/Schemas/${roleUrn}`, { headers: oktaHeaders })).body;
      assert.deepEqual(
        roleSchema.attributes.map((a: ScimJson) => a.name),
        ["id", "displayName", "description"],
      );
      assert.equal((await scim.get("/ResourceTypes/license", { headers: oktaHeaders })).body.endpoint, "/Licenses");

      // The "Okta SCIM 2.0 Entitlements Test", duplicated per entitlement endpoint.
      for (const endpoint of ["/Licenses", "/Roles"]) {
        const response = await scim.get(`${endpoint}?count=1&startIndex=1`, { headers: oktaHeaders });
        assert.equal(response.status, 200, endpoint);
        assert.ok(Array.isArray(response.body.Resources) && response.body.Resources.length > 0, `${endpoint}: Resources not empty`);
        assert.ok(response.body.schemas.includes(listResponseUrn));
        assert.equal(typeof response.body.startIndex, "number");
        assert.equal(response.body.itemsPerPage, 1);
        assert.equal(typeof response.body.totalResults, "number");
        assert.equal(response.body.totalResults, 2);
        assert.match(response.headers.get("content-type") ?? "", /application\/scim\+json/);
      }
      const licenses = (await scim.get("/Licenses", { headers: oktaHeaders })).body.Resources;
      assert.deepEqual(licenses[0], {
        schemas: [entitlementUrn],
        id: "basic",
        displayName: "Basic",
        type: "License",
        description: "The free tier",
        meta: { ...licenses[0].meta, resourceType: "License", location: `${product.baseUrl}/Licenses/basic` },
      });
      const roles = (await scim.get("/Roles?startIndex=2&count=5", { headers: oktaHeaders })).body;
      assert.equal(roles.startIndex, 2);
      assert.equal(roles.itemsPerPage, 1);
      assert.deepEqual(Object.keys(roles.Resources[0]).sort(), ["displayName", "id", "meta", "schemas"]);
      assert.deepEqual(roles.Resources[0].schemas, [roleUrn]);
    });

    test("without a key, discovery stays as it was; a bad key is refused", async () => {
      const anonymous = scimClient(product.baseUrl, undefined);
      const resourceTypes = (await anonymous.get("/ResourceTypes")).body;
      assert.deepEqual(
        resourceTypes.Resources.map((r: ScimJson) => r.id),
        ["User", "Group"],
      );
      assert.ok(!(await anonymous.get("/Schemas")).body.Resources.some((s: ScimJson) => s.id === entitlementUrn));
      assert.equal((await scimClient(product.baseUrl, "not-a-key-at-all-000000").get("/ResourceTypes")).status, 401);
      assert.equal((await anonymous.get("/Licenses")).status, 401);
    });

    test("catalog endpoints: get by id, filter, read-only, 404s", async () => {
      const pro = await scim.get("/Licenses/pro");
      assert.equal(pro.status, 200);
      assert.equal(pro.body.displayName, "Pro");
      assertScimError(await scim.get("/Licenses/gold"), 404);
      const filtered = await scim.get(`/Licenses?filter=${encodeURIComponent('displayName eq "pro" or id eq "basic"')}`);
      assert.deepEqual(
        filtered.body.Resources.map((r: ScimJson) => r.id),
        ["basic", "pro"],
      );
      assert.equal((await scim.get(`/Licenses?filter=${encodeURIComponent('type eq "License"')}`)).body.totalResults, 2);
      assertScimError(await scim.get(`/Licenses?filter=${encodeURIComponent('description eq "x"')}`), 400, "invalidFilter");
      assertScimError(await scim.get(`/Roles?filter=${encodeURIComponent('type eq "Role"')}`), 400, "invalidFilter");
      assertScimError(await scim.get("/Licenses?filter=id%20eq"), 400, "invalidFilter");
      for (const [method, path] of [
        ["POST", "/Licenses"],
        ["PUT", "/Licenses/pro"],
        ["PATCH", "/Roles/admin"],
        ["DELETE", "/Roles/admin"],
      ] as const)
        assertScimError(await scim.send(method, path, { body: { schemas: [entitlementUrn], id: "x", displayName: "x" } }), 405);
      // RFC 7644 §3.4.2.4: startIndex below 1 is 1; count=0 returns only totalResults; past the end, none.
      const first = (await scim.get("/Licenses?startIndex=0&count=1")).body;
      assert.deepEqual([first.startIndex, first.itemsPerPage, first.Resources[0].id], [1, 1, "basic"]);
      const counted = (await scim.get("/Licenses?count=0")).body;
      assert.deepEqual([counted.totalResults, counted.itemsPerPage, counted.Resources?.length ?? 0], [2, 0, 0]);
      const past = (await scim.get("/Licenses?startIndex=3")).body;
      assert.deepEqual([past.totalResults, past.itemsPerPage, past.startIndex], [2, 0, 3]);
      assertScimError(await scim.get("/Licenses?sortBy=displayName"), 400, "invalidValue");
      const projected = (await scim.get("/Licenses/pro?attributes=displayName")).body;
      assert.deepEqual(Object.keys(projected).sort(), ["displayName", "id", "schemas"]);
      assertScimError(await scim.get("/Seats"), 404);
      // /Users' missing methods are still 405, not swallowed by the catalog's paths.
      assertScimError(await scim.send("DELETE", "/Users"), 405);
    });

    test("Okta assigns entitlements and roles by POST and PUT; unknown values are refused naming them", async () => {
      const userName = randomUserName("okta-ent");
      const created = await scim.post(
        "/Users",
        {
          schemas: [userSchemaUrn],
          userName,
          name: { givenName: "Ada", familyName: "Lovelace" },
          emails: [{ primary: true, value: userName, type: "work" }],
          active: true,
          entitlements: [{ value: "basic", display: "Basic", type: "License" }],
          roles: [{ value: "reader", display: "Reader" }],
        },
        { headers: { ...oktaHeaders, "Content-Type": "application/json" } },
      );
      assert.equal(created.status, 201);
      const id = created.body.id;
      // Okta's update: GET, change, PUT the whole user.
      const current = (await scim.get(`/Users/${id}`, { headers: oktaHeaders })).body;
      const replaced = await scim.put(`/Users/${id}`, {
        ...current,
        entitlements: [
          { value: "pro", display: "Pro", type: "License" },
          { value: "basic", display: "Basic", type: "License" },
        ],
        roles: [{ value: "admin", display: "Administrator" }],
      });
      assert.equal(replaced.status, 200);
      const read = (await scim.get(`/Users/${id}`)).body;
      assert.deepEqual(read.entitlements, [
        { value: "pro", display: "Pro", type: "License" },
        { value: "basic", display: "Basic", type: "License" },
      ]);
      assert.deepEqual(read.roles, [{ value: "admin", display: "Administrator" }]);

      // Okta's PATCH style ("Support PATCH for User"): a path-less replace; the same values change nothing.
      const patched = await scim.patch(`/Users/${id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { roles: [{ value: "admin", display: "Administrator" }] } }],
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.meta.version, replaced.body.meta.version);
      const refused = await scim.put(`/Users/${id}`, { ...current, entitlements: [{ value: "gold", display: "Gold", type: "License" }] });
      assertScimError(refused, 400, "invalidValue");
      assert.match(refused.body.detail, /"gold" of type "License"/);

      // Over gRPC, and who holds "pro".
      const { user } = await directory.users.getUser({ tenantId, id });
      assert.deepEqual(
        user?.entitlements.map((e) => [e.value, e.type]),
        [
          ["pro", "License"],
          ["basic", "License"],
        ],
      );
      const holders = await directory.entitlements.listUsersWithEntitlement({
        tenantId,
        kind: EntitlementKind.ENTITLEMENT,
        type: "License",
        value: "pro",
      });
      assert.deepEqual(
        holders.users.map((u) => u.id),
        [id],
      );

      // In the change feed: the values each write added and removed.
      const events = await eventsUntil(directory, tenantId, (event) => event.resourceId === id && event.version === 2n);
      const mine = events.filter((event) => event.resourceId === id);
      assert.deepEqual(
        mine[0]?.assignmentsAdded.map((a) => [a.attribute, a.type, a.value]),
        [
          ["entitlements", "License", "basic"],
          ["roles", "", "reader"],
        ],
      );
      assert.ok(mine[1]?.changedAttributes.includes("entitlements") && mine[1]?.changedAttributes.includes("roles"));
      assert.deepEqual(
        mine[1]?.assignmentsAdded.map((a) => a.value),
        ["pro", "admin"],
      );
      assert.deepEqual(
        mine[1]?.assignmentsRemoved.map((a) => a.value),
        ["reader"],
      );
      // The catalog's own changes are events too.
      const catalogEvents = events.filter((event) => event.resourceType === ChangedResourceType.ENTITLEMENT);
      assert.deepEqual(
        catalogEvents.map((event) => [event.catalogType, event.resourceId]),
        [
          ["License", "basic"],
          ["License", "pro"],
        ],
      );
    });

    test('Entra\'s app roles: roles[primary eq "True"].value, and Add/Replace of the whole roles array', async () => {
      const userName = randomUserName("entra-roles");
      const created = await scim.post("/Users", {
        schemas: [userSchemaUrn],
        userName,
        active: true,
        roles: [],
        name: { givenName: "Grace", familyName: "Hopper" },
      });
      assert.equal(created.status, 201);
      const id = created.body.id;
      const patch = (...Operations: ScimJson[]) => scim.patch(`/Users/${id}`, { schemas: [patchOpUrn], Operations });

      // SingleAppRoleAssignment([appRoleAssignments]) → roles[primary eq "True"].value
      assert.equal((await patch({ op: "Add", path: 'roles[primary eq "True"].value', value: "reader" })).status, 200);
      assert.deepEqual((await scim.get(`/Users/${id}`)).body.roles, [{ value: "reader", primary: true }]);
      assert.equal((await patch({ op: "Replace", path: 'roles[primary eq "True"].value', value: "admin" })).status, 200);
      assert.deepEqual((await scim.get(`/Users/${id}`)).body.roles, [{ value: "admin", primary: true }]);
      const unknown = await patch({ op: "Replace", path: 'roles[primary eq "True"].value', value: "Owner" });
      assertScimError(unknown, 400, "invalidValue");
      assert.match(unknown.body.detail, /"Owner"/);

      // AppRoleAssignmentsComplex([appRoleAssignments]) → Add roles, each value the assignment as JSON.
      const assignment = (value: string, displayName: string) => ({
        value: JSON.stringify({ id: "06b07648-ecfe-589f-9d2f-6325724a46ee", value, displayName }),
      });
      assert.equal((await patch({ op: "Add", path: "roles", value: [assignment("reader", "Reader")] })).status, 200);
      assert.deepEqual((await scim.get(`/Users/${id}`)).body.roles, [
        { value: "admin", primary: true },
        { value: "reader", display: "Reader" },
      ]);
      // AssertiveAppRoleAssignmentsComplex: replace the whole set, with Entra's forced type.
      const replace = await patch({
        op: "replace",
        path: "roles",
        value: [{ primary: "False", type: "WindowsAzureActiveDirectoryRole", display: "Reader", value: "reader" }],
      });
      assert.equal(replace.status, 200);
      assert.deepEqual(replace.body.roles, [
        { value: "reader", display: "Reader", type: "WindowsAzureActiveDirectoryRole", primary: false },
      ]);

      const { user } = await directory.users.getUser({ tenantId, id });
      assert.deepEqual(
        user?.roles.map((role) => role.value),
        ["reader"],
      );
      const holders = await directory.entitlements.listUsersWithEntitlement({
        tenantId,
        kind: EntitlementKind.ROLE,
        type: "Role",
        value: "reader",
      });
      assert.ok(holders.users.some((u) => u.id === id));
      const events = (await eventsUntil(directory, tenantId, (event) => event.resourceId === id && event.version === 5n)).filter(
        (event) => event.resourceId === id,
      );
      assert.deepEqual(
        events.map((event) => [event.assignmentsAdded.map((a) => a.value), event.assignmentsRemoved.map((a) => a.value)]),
        [
          [[], []],
          [["reader"], []],
          [["admin"], ["reader"]],
          [["reader"], []],
          // Entra's forced type is no type: reader stays, admin goes.
          [[], ["admin"]],
        ],
      );
    });
  });
}
