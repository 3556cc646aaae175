// No tenant can hurt another (issue 11), through the real gRPC server on every store: a tenant's
// flood takes at most its own slots and the rest of its calls wait or are refused with
// TENANT_BUSY while another tenant is served at once; a write whose deadline passes is answered
// DEADLINE_EXCEEDED and never committed afterwards.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import { ErrorReason, UserSchema, UserService } from "@scimgw/proto";
import { Code, createClient, createTransport, RpcError, type Transport } from "@scimgw/grpc";
import type { Knex } from "knex";
import { createDirectoryServer } from "../create-directory-server.js";
import { bearer } from "../service-credentials/bearer.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { hashPassword } from "../users/password-hash.js";
import { createUserStore } from "../users/user-store.js";
import { createTenantStore } from "./tenant-store.js";

for (const storeUnderTest of storesUnderTest) {
  describe(`tenant isolation on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let server: Server;
    let transport: Transport;
    let busyTenant = "";
    let quietTenant = "";
    let quietUserId = "";
    const users = () => createClient(UserService, transport);

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      busyTenant = (await createTenantStore(db).create("busy")).id;
      quietTenant = (await createTenantStore(db).create("quiet")).id;
      quietUserId = (await createUserStore(db).create(quietTenant, create(UserSchema, { userName: "okta@example.com" }))).id;
      server = createDirectoryServer({
        db,
        logger: pino({ level: "silent" }),
        tenantLimits: { concurrency: 2, queueLimit: 2, maxWaitMs: 120_000 },
      });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      const { secret } = await createServiceCredentialStore(db).issue("isolation test", "read-write", "all");
      transport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
      // The first call connects and verifies the credential; the tests time the calls after it.
      await users().getUser({ tenantId: quietTenant, id: quietUserId });
    });
    after(async () => {
      transport.close();
      server.forceShutdown();
      await dispose();
    });

    /** Keeps the process's one scrypt slot busy for a while: every password write then waits for it. */
    const occupyHashing = (hashes: number) => Promise.all(Array.from({ length: hashes }, () => hashPassword("occupying")));

    test("a tenant's flood gets its slots and a bounded queue, the rest TENANT_BUSY; another tenant is served at once", async () => {
      const ids = await Promise.all(
        Array.from(
          { length: 6 },
          async (_, i) => (await createUserStore(db).create(busyTenant, create(UserSchema, { userName: `u${i}@x.com` }))).id,
        ),
      );
      const hashing = occupyHashing(3);
      // Each password write holds one of its tenant's slots while it waits for the scrypt slot.
      const flood = Promise.allSettled(
        ids.map((id, i) =>
          users().replaceUser(
            { tenantId: busyTenant, user: { id, userName: `u${i}@x.com`, password: `secret ${i}` } },
            { timeoutMs: 30_000 },
          ),
        ),
      );
      let floodDone = false;
      void flood.then(() => {
        floodDone = true;
      });
      const started = performance.now();
      const quiet = await users().getUser({ tenantId: quietTenant, id: quietUserId });
      const quietMs = performance.now() - started;
      assert.equal(quiet.user?.userName, "okta@example.com");
      // Served while the busy tenant's calls still run and queue (nine scrypt hashes take seconds).
      // The queued calls may wait as long as they need (maxWaitMs), so a slow machine changes how
      // long this takes, never which calls are served.
      assert.equal(floodDone, false, `the quiet tenant was served (in ${quietMs.toFixed(0)} ms) before the flood ended`);
      const outcomes = await flood;
      const refused = outcomes.filter((outcome) => outcome.status === "rejected").map((outcome) => outcome.reason as RpcError);
      assert.equal(outcomes.filter((outcome) => outcome.status === "fulfilled").length, 4, "2 running and 2 queued calls are served");
      assert.equal(refused.length, 2);
      for (const error of refused) {
        assert.equal(error.code, Code.RESOURCE_EXHAUSTED);
        assert.equal(error.reason, ErrorReason.TENANT_BUSY);
        assert.equal(error.metadata.retry_after_seconds, "1");
      }
      await hashing;
    });

    test("a write whose deadline passes is answered DEADLINE_EXCEEDED and never committed", async () => {
      const target = await createUserStore(db).create(busyTenant, create(UserSchema, { userName: "late@x.com" }));
      const hashing = occupyHashing(3);
      await assert.rejects(
        users().replaceUser(
          { tenantId: busyTenant, user: { id: target.id, userName: "late@x.com", password: "too late" } },
          { timeoutMs: 200 },
        ),
        (error: unknown) => error instanceof RpcError && error.code === Code.DEADLINE_EXCEEDED,
      );
      // Long after the hashes it waited for are done, nothing was written.
      await hashing;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stored = await db("users").where({ tenant_id: busyTenant, id: target.id }).first("version", "password_hash");
      assert.equal(Number(stored.version), 1);
      assert.equal(stored.password_hash, null);
      assert.equal((await db("change_events").where({ tenant_id: busyTenant, resource_id: target.id })).length, 1);
      // The tenant's slots were all given back.
      assert.equal((await users().getUser({ tenantId: busyTenant, id: target.id })).user?.meta?.version, 1n);
    });
  });
}
