// Okta's user provisioning, replayed over real HTTP against the real processes: the connector
// test, lookup-then-create, profile updates by PUT and PATCH, deactivate/reactivate and import
// (the request shapes are Okta's, see shared/IDP-NOTES.md §1.3).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import {
  errorUrn,
  listResponseUrn,
  patchOpUrn,
  randomUserName,
  scimClient,
  userSchemaUrn,
  type ScimClient,
} from "./support/scim-client.js";

const oktaHeaders = { "User-Agent": "Okta SCIM Client 1.0.0" };

function oktaUser(userName: string) {
  return {
    schemas: [userSchemaUrn],
    userName,
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName: "Ada Lovelace",
    locale: "en-US",
    externalId: `00u${Math.random().toString(36).slice(2, 12)}`,
    groups: [],
    password: "correct horse battery staple",
    active: true,
  };
}

const lookup = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;

for (const store of await storeKindsUnderTest())
  describe(`Okta user lifecycle on ${store}`, () => {
    let product: Product;
    let okta: ScimClient;

    before(async () => {
      product = await Product.start({ store });
      okta = scimClient(product.baseUrl, product.apiKey);
    });
    after(() => product.stop());

    test("Test Connector Configuration: a lookup of a random userName is an empty ListResponse", async () => {
      const response = await okta.get(lookup(randomUserName("connector-test")), { headers: oktaHeaders });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^application\/scim\+json/);
      assert.deepEqual(response.body, { schemas: [listResponseUrn], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
    });

    test("create, update, deactivate, reactivate, in Okta's order and shapes", async () => {
      const userName = randomUserName("ada");
      // Lookup before create.
      assert.equal((await okta.get(lookup(userName))).body.totalResults, 0);

      const created = await okta.post("/Users", oktaUser(userName), { headers: { ...oktaHeaders, "Content-Type": "application/json" } });
      assert.equal(created.status, 201);
      const id: string = created.body.id;
      assert.ok(id);
      assert.equal(created.headers.get("location"), `${product.baseUrl}/Users/${id}`);
      assert.equal(created.body.meta.location, created.headers.get("location"));
      assert.equal(created.headers.get("etag"), created.body.meta.version);
      assert.equal(created.body.userName, userName);
      assert.equal(created.body.active, true);
      assert.deepEqual(created.body.name, { givenName: "Ada", familyName: "Lovelace" });
      assert.deepEqual(created.body.emails, [{ primary: true, value: userName, type: "work" }]);
      assert.equal(created.body.password, undefined, "password is returned never (RFC 7643 §4.1.1)");
      assert.equal(created.body.meta.resourceType, "User");

      // Read back, and find it by userName, externalId and id.
      const read = await okta.get(`/Users/${id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.userName, userName);
      for (const filter of [`userName eq "${userName}"`, `externalId eq "${created.body.externalId}"`, `id eq "${id}"`]) {
        const found = await okta.get(`/Users?filter=${encodeURIComponent(filter)}`);
        assert.equal(found.body.totalResults, 1, filter);
        assert.equal(found.body.Resources[0].id, id, filter);
      }

      // Update User Attributes, AIW style: GET then PUT of the whole object (with id, meta, groups).
      const full = (await okta.get(`/Users/${id}`)).body;
      const put = await okta.put(`/Users/${id}`, { ...full, name: { givenName: "Augusta Ada", familyName: "King" }, title: "Countess" });
      assert.equal(put.status, 200);
      assert.equal(put.body.name.givenName, "Augusta Ada");
      assert.equal(put.body.title, "Countess");
      assert.equal(put.body.id, id);
      assert.notEqual(put.body.meta.version, full.meta.version, "every write changes the version");

      // Update by PATCH with simple paths.
      const patched = await okta.patch(`/Users/${id}`, {
        schemas: [patchOpUrn],
        Operations: [
          { op: "replace", path: "name.givenName", value: "Ada" },
          { op: "add", path: "nickName", value: "Enchantress of Numbers" },
        ],
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.name.givenName, "Ada");
      assert.equal(patched.body.name.familyName, "King");
      assert.equal(patched.body.nickName, "Enchantress of Numbers");

      // Deactivate Users: path-less replace with a value object.
      const deactivated = await okta.patch(`/Users/${id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { active: false } }],
      });
      assert.equal(deactivated.status, 200);
      assert.equal(deactivated.body.active, false);
      // A deactivated user is still returned, by id and by filter (Okta's CRUD suite checks both).
      assert.equal((await okta.get(`/Users/${id}`)).body.active, false);
      assert.equal((await okta.get(lookup(userName))).body.Resources[0].active, false);

      const reactivated = await okta.patch(`/Users/${id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { active: true } }],
      });
      assert.equal(reactivated.body.active, true);

      // Okta's password sync: a path-less replace of the password; never echoed.
      const password = await okta.patch(`/Users/${id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { password: "n3w-secret" } }],
      });
      assert.equal(password.status, 200);
      assert.equal(password.body.password, undefined);
    });

    test("a duplicate userName in another letter case is 409 uniqueness", async () => {
      const userName = randomUserName("grace");
      assert.equal((await okta.post("/Users", oktaUser(userName))).status, 201);
      const duplicate = await okta.post("/Users", oktaUser(userName.toUpperCase()));
      assert.equal(duplicate.status, 409);
      assert.deepEqual(duplicate.body.schemas, [errorUrn]);
      assert.equal(duplicate.body.status, "409");
      assert.equal(duplicate.body.scimType, "uniqueness");
      assert.match(duplicate.body.detail, /already taken/);
      // And the lookup Okta's SPEC test makes with the capitalised name finds the user.
      const found = await okta.get(lookup(userName.toUpperCase()));
      assert.equal(found.body.totalResults, 1);
    });

    test("import pages through every user with a stable order", async () => {
      const names = Array.from({ length: 7 }, () => randomUserName("import"));
      for (const userName of names) assert.equal((await okta.post("/Users", oktaUser(userName))).status, 201);
      const total = (await okta.get("/Users?count=0")).body.totalResults as number;
      assert.ok(total >= names.length);

      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= total; startIndex += 3) {
        const page = await okta.get(`/Users?startIndex=${startIndex}&count=3`);
        assert.equal(page.status, 200);
        assert.equal(page.body.startIndex, startIndex);
        assert.equal(page.body.totalResults, total);
        assert.equal(page.body.itemsPerPage, page.body.Resources.length);
        seen.push(...page.body.Resources.map((user: { id: string }) => user.id));
      }
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total, "no user appears on two pages");
      const userNames = new Set((await Promise.all(seen.map((id) => okta.get(`/Users/${id}`)))).map((r) => r.body.userName));
      for (const userName of names) assert.ok(userNames.has(userName));
    });

    test("paging follows RFC 7644 §3.4.2.4 at its edges", async () => {
      const zero = await okta.get("/Users?count=0");
      assert.equal(zero.status, 200);
      assert.ok(zero.body.totalResults > 0);
      assert.deepEqual(zero.body.Resources, []);
      const below = await okta.get("/Users?startIndex=-5&count=1");
      assert.equal(below.body.startIndex, 1);
      assert.equal(below.body.Resources.length, 1);
      const negative = await okta.get("/Users?count=-1");
      assert.deepEqual(negative.body.Resources, []);
      const past = await okta.get("/Users?startIndex=100000");
      assert.equal(past.status, 200);
      assert.deepEqual(past.body.Resources, []);
      assert.equal(past.body.totalResults, zero.body.totalResults);
      const bad = await okta.get("/Users?count=ten");
      assert.equal(bad.status, 400);
      assert.equal(bad.body.scimType, "invalidValue");
    });

    test("another tenant's key sees none of this tenant's users", async () => {
      const userName = randomUserName("isolated");
      const created = await okta.post("/Users", oktaUser(userName));
      const other = scimClient(product.baseUrl, await product.seedTenant(`other-${Date.now()}`));
      assert.equal((await other.get(`/Users/${created.body.id}`)).status, 404);
      assert.equal((await other.get(lookup(userName))).body.totalResults, 0);
      assert.equal((await other.get("/Users")).body.totalResults, 0);
      const patch = await other.patch(`/Users/${created.body.id}`, {
        schemas: [patchOpUrn],
        Operations: [{ op: "replace", value: { active: false } }],
      });
      assert.equal(patch.status, 404);
      assert.equal((await other.delete(`/Users/${created.body.id}`)).status, 404);
      // The same userName is free in the other tenant: uniqueness is per tenant.
      assert.equal((await other.post("/Users", oktaUser(userName))).status, 201);
      assert.equal((await okta.get(`/Users/${created.body.id}`)).body.active, true);
    });

    test("DELETE removes a user: 204, then 404", async () => {
      const created = await okta.post("/Users", oktaUser(randomUserName("gone")));
      const deleted = await okta.delete(`/Users/${created.body.id}`);
      assert.equal(deleted.status, 204);
      const gone = await okta.get(`/Users/${created.body.id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.status, "404");
    });

    test("requests without a valid key are 401 in SCIM's error format", async () => {
      for (const authorization of [undefined, "non-token", "Bearer scimgw_not-a-real-key", "Basic dXNlcjpwYXNz"]) {
        const client = scimClient(product.baseUrl, undefined);
        const response = await client.get("/Users", authorization ? { headers: { Authorization: authorization } } : {});
        assert.equal(response.status, 401, String(authorization));
        assert.deepEqual(response.body.schemas, [errorUrn]);
        assert.equal(response.body.status, "401");
        assert.ok(response.body.detail);
      }
    });

    test("malformed input is a 400 with the right scimType, and nothing is written", async () => {
      const before = (await okta.get("/Users?count=0")).body.totalResults;
      const cases: Array<
        [string, () => Promise<{ status: number; body: { scimType?: string; detail?: string } }>, number, string | undefined]
      > = [
        ["broken JSON", () => okta.post("/Users", '{"userName": '), 400, "invalidSyntax"],
        ["no userName", () => okta.post("/Users", { schemas: [userSchemaUrn], name: { givenName: "x" } }), 400, "invalidValue"],
        ["userName of the wrong type", () => okta.post("/Users", { schemas: [userSchemaUrn], userName: 42 }), 400, "invalidValue"],
        ["unparsable filter", () => okta.get(`/Users?filter=${encodeURIComponent("userName eq")}`), 400, "invalidFilter"],
        ["not a PatchOp", () => okta.patch("/Users/whatever", { Operations: [] }), 400, "invalidSyntax"],
        [
          "wrong content type",
          () => okta.post("/Users", "userName=x", { headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
          415,
          undefined,
        ],
      ];
      for (const [name, call, status, scimType] of cases) {
        const response = await call();
        assert.equal(response.status, status, name);
        assert.equal(response.body.scimType, scimType, name);
        assert.ok(response.body.detail, name);
      }
      assert.equal((await okta.get("/Users?count=0")).body.totalResults, before);
    });

    test("an unknown id is 404 with a detail", async () => {
      const response = await okta.get("/Users/010101001010101011001010101011");
      assert.equal(response.status, 404);
      assert.deepEqual(response.body.schemas, [errorUrn]);
      assert.ok(response.body.detail);
    });
  });
