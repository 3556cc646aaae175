// Okta's schema and entitlement discovery against the real product, for a tenant that has both a
// catalog (a /Licenses entitlement type and a /Roles role type) and its own User and Group
// extension schemas: /ResourceTypes, /Schemas and /Schemas/{urn}, then each catalog endpoint with
// count=1&startIndex=1, exactly as Okta's "SCIM 2.0 Entitlements Test" reads them. Every document
// must follow RFC 7643 §6/§7 and Okta's published shapes; without a key, only the core documents.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createDirectoryClient, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { acmeGroupUrn, acmeUserUrn, applyAcmeGroup, applyAcmeUser } from "./support/acme-extension.js";
import { resourceTypeProblems, schemaProblems } from "./support/discovery-checks.js";
import { oktaHeaders } from "./support/okta-headers.js";
import { Product } from "./support/product.js";
import { listResponseUrn, scimClient, type ScimClient, type ScimJson } from "./support/scim-client.js";

const enterpriseUrn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const entitlementUrn = "urn:okta:scim:schemas:core:1.0:Entitlement";
const roleUrn = "urn:okta:scim:schemas:core:1.0:Role";
const schemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Schema";

for (const store of await storeKindsUnderTest()) {
  describe(`Okta's discovery of a tenant's extensions and catalog on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    let admin: DirectoryClient;

    before(async () => {
      product = await Product.start({ store });
      scim = scimClient(product.baseUrl, product.apiKey);
      const tenantId = await product.tenantIdOf("default");
      await product.admin(["entitlements", "types", "add", "default", "License", "--endpoint", "/Licenses", "--description", "Licenses"]);
      await product.admin(["entitlements", "types", "add", "default", "Role", "--endpoint", "/Roles", "--kind", "role"]);
      await product.admin(["entitlements", "add", "default", "License", "basic", "Basic"]);
      await product.admin(["entitlements", "add", "default", "Role", "admin", "Administrator"]);
      admin = createDirectoryClient({
        address: product.directoryAddresses[0]!,
        serviceCredential: await product.issueServiceCredential("okta-discovery-e2e", "admin"),
      });
      await applyAcmeUser(admin, tenantId);
      await applyAcmeGroup(admin, tenantId);
    });
    after(async () => {
      admin?.close();
      await product.stop();
    });

    test("/ResourceTypes, /Schemas, /Schemas/{urn}, then /Licenses and /Roles with count=1&startIndex=1", async () => {
      const resourceTypes = await scim.get("/ResourceTypes", { headers: oktaHeaders });
      assert.equal(resourceTypes.status, 200);
      assert.deepEqual(resourceTypes.body.schemas, [listResponseUrn]);
      const byId = new Map<string, ScimJson>(resourceTypes.body.Resources.map((r: ScimJson) => [r.id, r]));
      assert.deepEqual([...byId.keys()], ["User", "Group", "License", "Role"]);
      // RFC 7643 §6: each extension named with whether the resource type requires it.
      assert.deepEqual(byId.get("User").schemaExtensions, [
        { schema: enterpriseUrn, required: false },
        { schema: acmeUserUrn, required: false },
      ]);
      assert.deepEqual(byId.get("Group").schemaExtensions, [{ schema: acmeGroupUrn, required: false }]);
      assert.equal(byId.get("License").schema, entitlementUrn);
      assert.equal(byId.get("Role").schema, roleUrn);

      const schemas = await scim.get("/Schemas", { headers: oktaHeaders });
      assert.equal(schemas.status, 200);
      assert.deepEqual(schemas.body.schemas, [listResponseUrn]);
      const schemaIds: string[] = schemas.body.Resources.map((s: ScimJson) => s.id);
      for (const id of [acmeUserUrn, acmeGroupUrn, entitlementUrn, roleUrn]) assert.ok(schemaIds.includes(id), id);
      assert.equal(schemas.body.totalResults, schemaIds.length);
      for (const resource of schemas.body.Resources) assert.deepEqual(schemaProblems(resource), [], resource.id);
      for (const resourceType of resourceTypes.body.Resources) assert.deepEqual(resourceTypeProblems(resourceType, schemaIds), []);

      // The extension as registered, every characteristic written out (RFC 7643 §7).
      const acme = (await scim.get(`/Schemas/${acmeUserUrn}`, { headers: oktaHeaders })).body;
      assert.deepEqual(
        acme,
        schemas.body.Resources.find((s: ScimJson) => s.id === acmeUserUrn),
      );
      assert.deepEqual(acme.schemas, [schemaUrn]);
      assert.equal(acme.name, "AcmeUser");
      assert.equal(acme.meta.location, `${product.baseUrl}/Schemas/${acmeUserUrn}`);
      assert.deepEqual(acme.attributes[0], {
        name: "tier",
        type: "string",
        multiValued: false,
        description: "License tier",
        required: false,
        canonicalValues: ["free", "pro", "enterprise"],
        caseExact: false,
        mutability: "readWrite",
        returned: "default",
        uniqueness: "none",
      });
      assert.deepEqual(
        acme.attributes.map((a: ScimJson) => [a.name, a.type, a.uniqueness]),
        [
          ["tier", "string", "none"],
          ["seats", "integer", "none"],
          ["badge", "string", "server"],
          ["startDate", "dateTime", "none"],
          ["beta", "boolean", "none"],
        ],
      );
      // URNs are matched ignoring case, as attribute paths match them.
      assert.equal((await scim.get(`/Schemas/${acmeGroupUrn.toUpperCase()}`, { headers: oktaHeaders })).body.id, acmeGroupUrn);

      for (const endpoint of ["/Licenses", "/Roles"]) {
        const response = await scim.get(`${endpoint}?count=1&startIndex=1`, { headers: oktaHeaders });
        assert.equal(response.status, 200, endpoint);
        assert.deepEqual(response.body.schemas, [listResponseUrn]);
        assert.equal(response.body.Resources.length, 1);
        assert.equal(response.body.itemsPerPage, 1);
        assert.equal(response.body.startIndex, 1);
        assert.equal(response.body.totalResults, 1);
        assert.deepEqual(response.body.Resources[0].schemas, [endpoint === "/Licenses" ? entitlementUrn : roleUrn]);
      }
    });

    test("without a key the documents describe the core types only, and an extension's schema is 404", async () => {
      const anonymous = scimClient(product.baseUrl, undefined);
      const resourceTypes = (await anonymous.get("/ResourceTypes")).body;
      assert.deepEqual(
        resourceTypes.Resources.map((r: ScimJson) => [r.id, r.schemaExtensions.map((e: ScimJson) => e.schema)]),
        [
          ["User", [enterpriseUrn]],
          ["Group", []],
        ],
      );
      assert.ok(!(await anonymous.get("/Schemas")).body.Resources.some((s: ScimJson) => s.id === acmeUserUrn));
      assert.equal((await anonymous.get(`/Schemas/${acmeUserUrn}`)).status, 404);
    });

    test("another tenant's key sees its own schemas, not this tenant's", async () => {
      const other = scimClient(product.baseUrl, await product.seedTenant("okta-discovery-other"));
      const schemaIds = (await other.get("/Schemas")).body.Resources.map((s: ScimJson) => s.id);
      assert.ok(!schemaIds.includes(acmeUserUrn));
      assert.equal((await other.get(`/Schemas/${acmeUserUrn}`)).status, 404);
    });
  });
}
