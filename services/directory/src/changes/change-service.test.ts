// WatchChanges through the real gRPC server and the typed client: replay from a cursor, follow
// live writes, resume after a disconnect with nothing missed or repeated, on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import { ChangeKind, ChangeService, GroupSchema, UserSchema, type ChangeEvent, ErrorReason } from "@scimgw/proto";
import { Code, createClient, createTransport, RpcError, type Transport } from "@scimgw/grpc";
import type { Knex } from "knex";
import { beginShutdown, createDirectoryServer } from "../create-directory-server.js";
import { bearer } from "../service-credentials/bearer.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";

for (const storeUnderTest of storesUnderTest) {
  describe(`WatchChanges on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let server: Server;
    let transport: Transport;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("watched")).id;
      server = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      const { secret } = await createServiceCredentialStore(db).issue("change feed test", "read-only", "all");
      transport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
    });
    after(async () => {
      transport.close();
      server.forceShutdown();
      await dispose();
    });

    /** Reads `count` events from a stream that starts after `afterSeq`, then disconnects. */
    async function take(afterSeq: bigint, count: number): Promise<ChangeEvent[]> {
      const controller = new AbortController();
      const seen: ChangeEvent[] = [];
      for await (const response of createClient(ChangeService, transport).watchChanges(
        { tenantId, afterSeq },
        { signal: controller.signal },
      )) {
        seen.push(response.event!);
        if (seen.length === count) break;
      }
      return seen;
    }

    test("replays from the start, follows live writes, and resumes after a disconnect", async () => {
      const users = createUserStore(db);
      const first = await users.create(tenantId, create(UserSchema, { userName: "one@example.com" }));
      await users.update(tenantId, first.id, (current) => ({ ...current, active: false }));
      const replayed = await take(0n, 2);
      assert.deepEqual(
        replayed.map((event) => [Number(event.seq), event.kind, event.resourceId]),
        [
          [1, ChangeKind.CREATED, first.id],
          [2, ChangeKind.DEACTIVATED, first.id],
        ],
      );

      // Live: the stream is open before these writes commit.
      const live = take(2n, 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await users.create(tenantId, create(UserSchema, { userName: "two@example.com" }));
      await users.update(tenantId, second.id, (current) => ({ ...current, title: "x" }));
      await users.delete(tenantId, first.id);
      const followed = await live;
      assert.deepEqual(
        followed.map((event) => [Number(event.seq), event.kind]),
        [
          [3, ChangeKind.CREATED],
          [4, ChangeKind.UPDATED],
          [5, ChangeKind.DELETED],
        ],
      );
      assert.deepEqual(followed[1]!.changedAttributes, ["title"]);

      // A consumer that stopped after 4 resumes with exactly 5.
      const resumed = await take(4n, 1);
      assert.deepEqual(
        resumed.map((event) => Number(event.seq)),
        [5],
      );
    });

    test("a cursor older than the retention window is OUT_OF_RANGE, telling the consumer to resync", async () => {
      const { pruneChanges } = await import("./prune-changes.js");
      const users = createUserStore(db);
      await users.create(tenantId, create(UserSchema, { userName: "kept@example.com" }));
      const latest = Number((await db("change_events").where("tenant_id", tenantId).max({ n: "seq" }).first())?.n);
      // Everything up to now falls out of a zero-day window, then one more change is kept.
      assert.ok((await pruneChanges(db, 0, new Date(Date.now() + 1000))) >= latest);
      await users.create(tenantId, create(UserSchema, { userName: "newest@example.com" }));
      await assert.rejects(take(1n, 1), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, Code.OUT_OF_RANGE);
        assert.equal(error.reason, ErrorReason.CURSOR_EXPIRED);
        return true;
      });
      // A consumer that was up to date loses nothing: it gets the next event.
      assert.deepEqual(
        (await take(BigInt(latest), 1)).map((event) => Number(event.seq)),
        [latest + 1],
      );
    });

    test("user events carry the active flag after the change (a user created inactive says so); group events do not", async () => {
      const users = createUserStore(db);
      const start = BigInt((await db("tenants").where("id", tenantId).first("last_change_seq")).last_change_seq);
      const disabled = await users.create(tenantId, create(UserSchema, { userName: "disabled@example.com", active: false }));
      await users.update(tenantId, disabled.id, (current) => ({ ...current, title: "Contractor" }));
      await users.update(tenantId, disabled.id, (current) => ({ ...current, active: true }));
      await createGroupStore(db).create(tenantId, create(GroupSchema, { displayName: "No flag" }));
      await users.delete(tenantId, disabled.id);
      const events = await take(start, 5);
      assert.deepEqual(
        events.map((event) => [event.kind, event.active]),
        [
          [ChangeKind.CREATED, false],
          [ChangeKind.UPDATED, false],
          [ChangeKind.REACTIVATED, true],
          [ChangeKind.CREATED, undefined],
          [ChangeKind.DELETED, undefined],
        ],
      );
    });

    test("a graceful shutdown ends open streams with UNAVAILABLE and where to resume, so the drain does not wait on them", async () => {
      const stopping = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
      const port = await new Promise<number>((resolve, reject) =>
        stopping.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      const { secret } = await createServiceCredentialStore(db).issue("shutdown test", "read-only", "all");
      const streamTransport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
      try {
        await createUserStore(db).create(tenantId, create(UserSchema, { userName: "before-shutdown@example.com" }));
        const last = BigInt((await db("tenants").where("id", tenantId).first("last_change_seq")).last_change_seq);
        const seen: ChangeEvent[] = [];
        const following = (async () => {
          for await (const response of createClient(ChangeService, streamTransport).watchChanges({ tenantId, afterSeq: last - 1n }))
            seen.push(response.event!);
        })();
        following.catch(() => undefined); // asserted below
        // Caught up and polling: the stream would stay open for ever.
        while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

        beginShutdown(stopping);
        const drained = new Promise<"drained">((resolve) => stopping.tryShutdown(() => resolve("drained")));
        // A liveness bound, not a timing check: without beginShutdown the drain never ends by itself.
        const stuck = new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), 10_000).unref());
        assert.equal(await Promise.race([drained, stuck]), "drained");
        await assert.rejects(following, (error: unknown) => {
          assert.ok(error instanceof RpcError);
          assert.equal(error.code, Code.UNAVAILABLE);
          assert.equal(error.reason, ErrorReason.SHUTTING_DOWN);
          assert.equal(error.metadata.resume_after, String(last));
          return true;
        });
      } finally {
        streamTransport.close();
        stopping.forceShutdown();
      }
    });

    test("a bad request is INVALID_ARGUMENT on the stream", async () => {
      await assert.rejects(take(-1n, 1), (error: unknown) => error instanceof RpcError && error.code === Code.INVALID_ARGUMENT);
    });
  });
}
