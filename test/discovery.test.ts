// The discovery documents promise only what the server does: each feature
// /ServiceProviderConfig claims (or denies) is exercised here against the running product.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimClient, type ScimJson } from "./support/scim-client.js";

for (const store of await storeKindsUnderTest()) {
  describe(`discovery documents match the server's behaviour on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    let config: ScimJson;
    before(async () => {
      product = await Product.start({ store, gatewayEnv: { SCIM_MAX_PAGE_SIZE: "7", SCIM_DEFAULT_PAGE_SIZE: "5" } });
      scim = scimClient(product.baseUrl, product.apiKey);
      for (let i = 0; i < 9; i++) await scim.post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`d${i}`) });
      config = (await scim.get("/ServiceProviderConfig")).body;
    });
    after(() => product.stop());

    test("the discovery endpoints need no key, and refuse a filter with 403", async () => {
      const anonymous = scimClient(product.baseUrl, undefined);
      for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/User", "/Schemas", `/Schemas/${userSchemaUrn}`]) {
        const response = await anonymous.get(path);
        assert.equal(response.status, 200, path);
        assert.match(response.headers.get("content-type") ?? "", /application\/scim\+json/);
      }
      assert.equal((await anonymous.get('/Schemas?filter=id eq "x"')).status, 403);
      assert.equal((await anonymous.get("/Schemas/urn:nope")).status, 404);
    });

    test("filter.maxResults is the page cap the server applies", async () => {
      assert.equal(config.filter.supported, true);
      assert.equal(config.filter.maxResults, 7);
      const page = await scim.get("/Users?count=1000");
      assert.equal(page.body.itemsPerPage, 7);
      assert.equal((await scim.get("/Users")).body.itemsPerPage, 5, "the default page size");
      assert.equal((await scim.get(`/Users?filter=${encodeURIComponent('userName sw "d"')}&count=0`)).body.totalResults, 9);
    });

    test("patch.supported, changePassword.supported: PATCH works, including a password", async () => {
      assert.equal(config.patch.supported, true);
      assert.equal(config.changePassword.supported, true);
      const user = (await scim.get("/Users?count=1")).body.Resources[0];
      const patched = await scim.patch(`/Users/${user.id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { password: "s3cret!", title: "x" } }],
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.password, undefined);
    });

    test("sort.supported: sortBy orders the list", async () => {
      assert.equal(config.sort.supported, true);
      const names = (await scim.get("/Users?sortBy=userName&sortOrder=descending&count=7")).body.Resources.map(
        (u: { userName: string }) => u.userName,
      );
      assert.deepEqual(names, [...names].sort().reverse());
    });

    test("etag.supported: ETags on responses, If-Match and If-None-Match honoured", async () => {
      assert.equal(config.etag.supported, true);
      const user = (await scim.get("/Users?count=1")).body.Resources[0];
      const read = await scim.get(`/Users/${user.id}`);
      const etag = read.headers.get("etag")!;
      assert.equal(etag, read.body.meta.version);
      assert.equal((await scim.get(`/Users/${user.id}`, { headers: { "If-None-Match": etag } })).status, 304);
      assert.equal(
        (
          await scim.patch(
            `/Users/${user.id}`,
            { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { title: "y" } }] },
            { headers: { "If-Match": 'W/"999"' } },
          )
        ).status,
        412,
      );
    });

    test("bulk.supported is false, and there is no /Bulk endpoint", async () => {
      assert.equal(config.bulk.supported, false);
      const bulk = await scim.post("/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [] });
      assert.ok(bulk.status === 404 || bulk.status === 501, String(bulk.status));
    });

    test("authentication is the bearer scheme the gateway enforces", async () => {
      assert.deepEqual(
        config.authenticationSchemes.map((scheme: { type: string }) => scheme.type),
        ["oauthbearertoken"],
      );
      assert.equal((await scimClient(product.baseUrl, undefined).get("/Users")).status, 401);
    });

    test("/ResourceTypes lists exactly the endpoints served, and each of their schemas is served", async () => {
      const types = (await scim.get("/ResourceTypes")).body.Resources as Array<{
        endpoint: string;
        schema: string;
        schemaExtensions: Array<{ schema: string }>;
      }>;
      assert.deepEqual(
        types.map((type) => type.endpoint),
        ["/Users", "/Groups"],
      );
      for (const type of types) {
        assert.equal((await scim.get(`${type.endpoint}?count=0`)).status, 200);
        for (const schema of [type.schema, ...type.schemaExtensions.map((extension) => extension.schema)]) {
          assert.equal((await scim.get(`/Schemas/${schema}`)).status, 200, schema);
        }
      }
    });

    test("every attribute /Schemas declares for User round-trips through the server", async () => {
      const schema = (await scim.get(`/Schemas/${userSchemaUrn}`)).body as {
        attributes: Array<{ name: string; mutability: string; returned: string }>;
      };
      const writable = schema.attributes
        .filter((attribute) => attribute.mutability === "readWrite" && attribute.returned !== "never")
        .map((attribute) => attribute.name);
      assert.ok(writable.includes("userName") && writable.includes("emails") && writable.includes("x509Certificates"));
      const user = await scim.post("/Users", {
        schemas: [userSchemaUrn],
        userName: randomUserName("every"),
        name: { givenName: "G" },
        displayName: "d",
        nickName: "n",
        profileUrl: "https://x.example/p",
        title: "t",
        userType: "u",
        preferredLanguage: "en",
        locale: "en-US",
        timezone: "UTC",
        active: true,
        emails: [{ value: "e@x" }],
        phoneNumbers: [{ value: "1" }],
        ims: [{ value: "i" }],
        photos: [{ value: "https://x.example/i.png" }],
        addresses: [{ locality: "l" }],
        entitlements: [{ value: "e" }],
        roles: [{ value: "r" }],
        x509Certificates: [{ value: "MIIB" }],
      });
      assert.equal(user.status, 201);
      for (const name of writable) assert.ok(user.body[name] !== undefined, `${name} was declared readWrite but did not come back`);
    });
  });
}
