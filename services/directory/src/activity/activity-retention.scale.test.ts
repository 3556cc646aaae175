// Issue 13: retention prunes a log of 100,000 entries in batches, and writes go on between the
// batches instead of waiting for the whole prune (on SQLite every statement takes turns on one
// connection, so one big DELETE would hold every tenant's writes for its whole length).
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { IdentityProvider, ScimRequestSchema, UserSchema } from "@scimgw/proto";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { activityRowOf, activityInstant } from "./activity-row.js";
import { createActivityStore, pruneBatchSize } from "./activity-store.js";

const size = 100_000;
const day = 24 * 60 * 60 * 1000;

const request = (startedAtMs: number, i: number) =>
  create(ScimRequestSchema, {
    requestId: `seed-${i}`,
    keyId: "k",
    keyLabel: "okta",
    identityProvider: IdentityProvider.OKTA,
    method: "GET",
    path: "/services/scim/v2/Users",
    startedAt: timestampFromMs(startedAtMs),
  });

for (const store of storesUnderTest)
  test(`${store.name}: 100,000 entries are pruned by age and by count in batches, while writes go on`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenants = createTenantStore(db);
      const acme = await tenants.create("acme");
      const globex = await tenants.create("globex");
      const activity = createActivityStore(db);
      const now = Date.now();
      // 60,000 entries 40 days old, then 40,000 from the last day; globex has 1,000 recent ones.
      // Seeded straight into the table, numbered as claimTenantRow numbers them.
      const entry = (tenantId: string, startedAtMs: number, i: number) => ({
        ...activityRowOf(tenantId, request(startedAtMs, i), {
          status: 200,
          resourceType: "",
          resourceId: "",
          scimType: "",
          detail: "",
          latencyMs: 1,
        }),
        seq: i + 1,
      });
      await db.transaction(async (trx) => {
        // 400 rows per statement: SQLite's multi-row insert is a compound SELECT of at most 500 terms.
        for (let start = 0; start < size; start += 400) {
          const rows = [];
          for (let i = start; i < start + 400; i++) rows.push(entry(acme.id, i < 60_000 ? now - 40 * day + i : now - day + i, i));
          await trx("activity_entries").insert(rows);
        }
        for (let start = 0; start < 1000; start += 400)
          await trx("activity_entries").insert(
            Array.from({ length: Math.min(400, 1000 - start) }, (_, i) => entry(globex.id, now - day + start + i, start + i)),
          );
        await trx("tenants").where("id", acme.id).update({ last_activity_seq: size });
        await trx("tenants").where("id", globex.id).update({ last_activity_seq: 1000 });
      });

      // A writer creating users through the store, each with its entry, until the prune is done.
      const users = createUserStore(db);
      const writesDone: number[] = [];
      const batchesDone: number[] = [];
      let pruning = true;
      const writer = (async () => {
        for (let i = 0; pruning; i++) {
          await users.create(acme.id, create(UserSchema, { userName: `writer-${i}@example.com` }), {
            scimRequest: create(ScimRequestSchema, { requestId: `write-${i}`, method: "POST", startedAt: timestampFromMs(Date.now()) }),
          });
          writesDone.push(performance.now());
        }
      })();
      const started = performance.now();
      const deleted = await activity.prune({
        olderThan: activityInstant(now - 30 * day),
        maxPerTenant: 30_000,
        betweenBatches: async () => {
          batchesDone.push(performance.now());
          await sleep(10);
        },
      });
      const finished = performance.now();
      pruning = false;
      await writer;

      // By count: of the 100,000 seeded the latest 30,000 stay (those from the last day; the old ones
      // went by age as well), counted when the prune began: writes that came before it count too.
      assert.ok(deleted >= 70_000 && deleted <= 70_000 + writesDone.length, `deleted ${deleted}`);
      assert.ok(batchesDone.length >= 70_000 / pruneBatchSize - 1, `deleted in batches of ${pruneBatchSize}: ${batchesDone.length}`);
      const kept = await db("activity_entries")
        .where("tenant_id", acme.id)
        .min({ first: "seq" })
        .max({ last: "seq" })
        .count({ n: "*" })
        .first();
      assert.equal(Number(kept?.first), deleted + 1, "the oldest went, and only they");
      assert.equal(Number(kept?.last), size + writesDone.length, "every write's entry stays, numbered on without gaps");
      assert.equal(Number(kept?.n), Number(kept?.last) - Number(kept?.first) + 1, "nothing in between went");
      assert.equal(
        Number((await db("activity_entries").where("tenant_id", globex.id).count({ n: "*" }).first())?.n),
        1000,
        "other tenants keep theirs",
      );

      // Writes went on during the prune: a single long DELETE would let none finish until it ended.
      const duringPrune = writesDone.filter((at) => at > started && at < finished).length;
      assert.ok(
        duringPrune >= batchesDone.length / 4,
        `${duringPrune} writes finished during the ${batchesDone.length} batches of the prune`,
      );
    } finally {
      await dispose();
    }
  });
