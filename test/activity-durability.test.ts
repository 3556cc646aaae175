// Issue 13's crash test: the directory is killed (SIGKILL: nothing flushes, nothing drains) while
// writes are in flight; after a restart, every write the clients had acknowledged has its activity
// entry, because the entry commits in the write's own transaction.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

/** Parallel writers: enough to keep several writes in every stage of the directory at the kill. */
const writers = 6;

for (const store of await storeKindsUnderTest())
  describe(`the activity log survives a crash of the directory on ${store}`, () => {
    let product: Product;
    before(async () => {
      // Calls to the killed directory fail within 2 s instead of the default 10.
      product = await Product.start({ store, gatewayEnv: { DIRECTORY_TIMEOUT_MS: "2000" } });
    });
    after(() => product.stop());

    test("SIGKILL under write load: every acknowledged write has its entry after the restart", async () => {
      const scim = scimClient(product.baseUrl, product.apiKey);
      const acknowledged: Array<{ requestId: string; status: number }> = [];
      let failed = 0;
      let killed = false;
      const write = async (worker: number, i: number) => {
        // Creates, and every third request a PATCH of the user just created.
        const response = await scim
          .post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`crash-${worker}-${i}`) })
          .catch(() => undefined);
        if (response === undefined || response.status >= 500) {
          failed += 1;
          return;
        }
        assert.equal(response.status, 201);
        acknowledged.push({ requestId: response.headers.get("x-request-id") ?? "", status: 201 });
        if (i % 3 !== 0) return;
        const patched = await scim
          .patch(`/Users/${response.body.id}`, { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: false } }] })
          .catch(() => undefined);
        if (patched?.status === 200) acknowledged.push({ requestId: patched.headers.get("x-request-id") ?? "", status: 200 });
        else failed += 1;
      };
      const load = Array.from({ length: writers }, async (_, worker) => {
        let i = 0;
        while (!killed) await write(worker, i++);
        // One more, sent while the directory is down.
        await write(worker, i);
      });
      // Writes flow until the kill; each worker keeps sending (and failing) while the directory is down.
      while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 20));
      await product.stopDirectories("SIGKILL");
      killed = true;
      await Promise.all(load);
      assert.ok(failed > 0, "some writes were in flight or sent while the directory was down");
      // Everything starts again on fresh ports: another test's service may have taken the killed
      // directory's port meanwhile (files run side by side).
      await product.restart();

      const entries = JSON.parse(await product.admin(["activity", "default", "--json", "--limit", "100000", "--status", "2xx"])) as Array<{
        requestId: string;
        status: number;
        method: string;
      }>;
      const recorded = new Map(entries.map((entry) => [entry.requestId, entry.status]));
      const missing = acknowledged.filter(({ requestId, status }) => recorded.get(requestId) !== status);
      assert.deepEqual(missing, [], `all ${acknowledged.length} acknowledged writes have their entry`);
    });
  });
