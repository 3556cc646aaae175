// What the product acknowledged survives a restart: a clean stop (SIGTERM) and a crash (SIGKILL
// right after the responses, with no chance to flush anything).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

for (const store of await storeKindsUnderTest())
  describe(`restarts lose nothing acknowledged on ${store}`, () => {
    let product: Product;
    before(async () => {
      product = await Product.start({ store });
    });
    after(() => product.stop());

    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      test(`after ${signal}`, async () => {
        const scim = scimClient(product.baseUrl, product.apiKey);
        const ids: string[] = [];
        for (let i = 0; i < 20; i++) {
          const created = await scim.post("/Users", {
            schemas: [userSchemaUrn],
            userName: randomUserName(`durable-${i}`),
            name: { givenName: "D", familyName: String(i) },
          });
          assert.equal(created.status, 201);
          ids.push(created.body.id);
        }
        const deactivated = await scim.patch(`/Users/${ids[0]}`, {
          schemas: [patchOpUrn],
          Operations: [{ op: "replace", value: { active: false } }],
        });
        assert.equal(deactivated.status, 200);
        assert.equal((await scim.delete(`/Users/${ids[1]}`)).status, 204);
        const before = (await scim.get("/Users?count=0")).body.totalResults;

        await product.restart(signal);
        const after = scimClient(product.baseUrl, product.apiKey);
        assert.equal((await after.get("/Users?count=0")).body.totalResults, before);
        assert.equal((await after.get(`/Users/${ids[0]}`)).body.active, false);
        assert.equal((await after.get(`/Users/${ids[1]}`)).status, 404);
        for (const id of ids.slice(2)) assert.equal((await after.get(`/Users/${id}`)).status, 200);
      });
    }
  });
