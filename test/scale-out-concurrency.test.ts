// The scale-out deployment under races: stateless gateways in front of directory replicas on one
// PostgreSQL database (two of each), and on SQLite two gateways in front of its one directory.
// Requests go to alternating gateways at the same moment, over real HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "@scimgw/directory";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimClient } from "./support/scim-client.js";

function statusCounts(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

for (const store of await storeKindsUnderTest()) {
  const directories = store === "postgres" ? 2 : 1;
  describe(`concurrency through 2 gateways and ${directories} director${directories === 1 ? "y" : "ies"} on ${store}`, () => {
    let product: Product;
    let gateways: ScimClient[];
    const via = (i: number) => gateways[i % gateways.length]!;

    before(async () => {
      product = await Product.start({ store, directories, gateways: 2 });
      gateways = product.baseUrls.map((url) => scimClient(url, product.apiKey));
    });
    after(() => product.stop());

    test("racing creates of one userName, in any letter case: exactly one 201, the rest 409", async () => {
      const userName = randomUserName("race");
      const variants = [userName, userName.toUpperCase(), userName, userName.replace(/^./, (c) => c.toUpperCase())];
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => via(i).post("/Users", { schemas: [userSchemaUrn], userName: variants[i % variants.length] })),
      );
      assert.deepEqual(statusCounts(responses.map((r) => r.status)), { 201: 1, 409: 11 });
      for (const response of responses.filter((r) => r.status === 409)) assert.equal(response.body.scimType, "uniqueness");
      const found = await via(1).get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      assert.equal(found.body.totalResults, 1);
    });

    test("racing PATCHes with the same If-Match: one wins, the others get 412, no update is lost", async () => {
      const created = await via(0).post("/Users", { schemas: [userSchemaUrn], userName: randomUserName("cas") });
      const etag = created.headers.get("etag")!;
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          via(i).patch(
            `/Users/${created.body.id}`,
            { schemas: [patchOpUrn], Operations: [{ op: "replace", path: "title", value: `writer ${i}` }] },
            { headers: { "If-Match": etag } },
          ),
        ),
      );
      assert.deepEqual(statusCounts(responses.map((r) => r.status)), { 200: 1, 412: 7 });
      const winner = responses.find((r) => r.status === 200)!;
      const final = await via(1).get(`/Users/${created.body.id}`);
      assert.equal(final.body.title, winner.body.title);
      assert.equal(final.body.meta.version, 'W/"2"');
      assert.equal(final.headers.get("etag"), 'W/"2"');
    });

    test("racing PATCHes without If-Match all apply, one after another", async () => {
      const created = await via(0).post("/Users", { schemas: [userSchemaUrn], userName: randomUserName("merge") });
      const writers = 10;
      const responses = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          via(i).patch(`/Users/${created.body.id}`, {
            schemas: [patchOpUrn],
            Operations: [{ op: "add", path: "emails", value: [{ value: `writer${i}@example.com`, type: "other" }] }],
          }),
        ),
      );
      assert.deepEqual(statusCounts(responses.map((r) => r.status)), { 200: writers });
      const final = await via(1).get(`/Users/${created.body.id}`);
      assert.deepEqual(
        final.body.emails.map((email: { value: string }) => email.value).sort(),
        Array.from({ length: writers }, (_, i) => `writer${i}@example.com`).sort(),
      );
      assert.equal(final.body.meta.version, `W/"${1 + writers}"`);
    });

    test("many distinct creates at once through both gateways: every one lands, none fails", async () => {
      const before = (await via(0).get("/Users?count=0")).body.totalResults as number;
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => via(i).post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`bulk${i}`) })),
      );
      assert.deepEqual(statusCounts(responses.map((r) => r.status)), { 201: 40 });
      for (const gateway of gateways) assert.equal((await gateway.get("/Users?count=0")).body.totalResults, before + 40);
    });

    test("a write through one gateway is read back at once through the other", async () => {
      for (let i = 0; i < 5; i++) {
        const created = await via(i).post("/Users", { schemas: [userSchemaUrn], userName: randomUserName("rw"), title: "before" });
        const patched = await via(i).patch(`/Users/${created.body.id}`, {
          schemas: [patchOpUrn],
          Operations: [{ op: "replace", value: { title: "after" } }],
        });
        assert.equal(patched.status, 200);
        assert.equal((await via(i + 1).get(`/Users/${created.body.id}`)).body.title, "after");
      }
    });

    test("racing membership PATCHes on one group all apply", async () => {
      const userIds: string[] = [];
      for (let i = 0; i < 12; i++)
        userIds.push((await via(i).post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`member${i}`) })).body.id);
      const group = await via(0).post("/Groups", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        displayName: `racers ${Date.now()}`,
        members: [],
      });
      const responses = await Promise.all(
        userIds.map((id, i) =>
          via(i).patch(`/Groups/${group.body.id}`, {
            schemas: [patchOpUrn],
            Operations: [{ op: "add", path: "members", value: [{ value: id }] }],
          }),
        ),
      );
      assert.deepEqual(statusCounts(responses.map((r) => r.status)), { 204: userIds.length });
      const final = await via(1).get(`/Groups/${group.body.id}`);
      assert.deepEqual(final.body.members.map((member: { value: string }) => member.value).sort(), [...userIds].sort());
      assert.equal(final.body.meta.version, `W/"${1 + userIds.length}"`);
    });

    test("a key issued by the admin works on every gateway", async () => {
      const { key } = JSON.parse(await product.admin(["keys", "issue", "default", "--json"])) as { key: string };
      for (const url of product.baseUrls) assert.equal((await scimClient(url, key).get("/Users?count=0")).status, 200);
    });
  });
}

// Counters shared in PostgreSQL (RATE_LIMIT_DATABASE_URL): a tenant's limit holds across two gateway
// processes, where two in-memory limiters would each let its burst through.
if ((await storeKindsUnderTest()).includes("postgres"))
  describe("a tenant's rate limit across 2 gateways sharing their counters in PostgreSQL", () => {
    const table = uniqueSchemaName("rate_limits");
    let product: Product;

    before(async () => {
      product = await Product.start({
        store: "postgres",
        gateways: 2,
        gatewayEnv: { RATE_LIMIT_DATABASE_URL: testPostgresUrl, RATE_LIMIT_TABLE: table },
      });
      await product.admin(["tenants", "limits", "default", "--per-second", "1", "--burst", "10"]);
    });
    after(async () => {
      await product.stop();
      const db = openDatabase({ kind: "postgres", url: testPostgresUrl, schema: "public", poolMax: 1, statementTimeoutMs: 30_000 });
      await db.raw("drop table if exists ??", [table]).finally(() => db.destroy());
    });

    test("30 requests spread over both gateways: one burst of 10 passes, not one per gateway", async () => {
      const gateways = product.baseUrls.map((url) => scimClient(url, product.apiKey));
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => gateways[i % 2]!.get("/Users?count=0")));
      const counts = statusCounts(responses.map((response) => response.status));
      // The burst, plus what one token a second refills while the requests run; two separate
      // limiters would pass 20.
      assert.ok((counts[200] ?? 0) >= 10 && (counts[200] ?? 0) <= 14, JSON.stringify(counts));
      assert.equal((counts[200] ?? 0) + (counts[429] ?? 0), 30, JSON.stringify(counts));
    });
  });
