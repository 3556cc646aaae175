// The directory's metrics over the real gRPC server on every store: calls by method and code,
// the connection pool, and change streams with their lag in events.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import type { Knex } from "knex";
import { ChangeService, ErrorReason, UserService, UserSchema } from "@scimgw/proto";
import { Code, createClient, createTransport, RpcError, type Transport } from "@scimgw/grpc";
import { createDirectoryServer } from "../create-directory-server.js";
import { bearer } from "../service-credentials/bearer.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { createDirectoryMetrics, type DirectoryMetrics } from "./directory-metrics.js";
import { sqliteReadConnectionsDefault } from "../database/open-database.js";

/** The value of one series in Prometheus' text format, e.g. `name{a="b"}`; undefined if absent. */
async function seriesValue(metrics: DirectoryMetrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const userService = 'grpc_service="scimgw.directory.v1.UserService"';

for (const storeUnderTest of storesUnderTest) {
  describe(`directory metrics on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let server: Server;
    let transport: Transport;
    let metrics: DirectoryMetrics;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("measured")).id;
      metrics = createDirectoryMetrics({ db, processMetrics: false });
      server = createDirectoryServer({ db, logger: pino({ level: "silent" }), metrics });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      const { secret } = await createServiceCredentialStore(db).issue("metrics test", "read-write", "all");
      transport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
    });
    after(async () => {
      transport.close();
      server.forceShutdown();
      await dispose();
    });

    test("calls are counted and timed by service, method and final code", async () => {
      const users = createClient(UserService, transport);
      await users.createUser({ tenantId, user: create(UserSchema, { userName: "a@example.com" }) });
      await users.createUser({ tenantId, user: create(UserSchema, { userName: "b@example.com" }) });
      await assert.rejects(
        users.createUser({ tenantId, user: create(UserSchema, { userName: "a@example.com" }) }),
        (error: unknown) => error instanceof RpcError && error.code === Code.ALREADY_EXISTS,
      );
      assert.equal(
        await seriesValue(metrics, `scimgw_directory_rpc_calls_total{${userService},grpc_method="CreateUser",grpc_code="OK"}`),
        2,
      );
      assert.equal(
        await seriesValue(metrics, `scimgw_directory_rpc_calls_total{${userService},grpc_method="CreateUser",grpc_code="ALREADY_EXISTS"}`),
        1,
      );
      assert.equal(
        await seriesValue(metrics, `scimgw_directory_rpc_duration_seconds_count{${userService},grpc_method="CreateUser",grpc_code="OK"}`),
        2,
      );
    });

    test("the connection pool is read at scrape time", async () => {
      assert.equal(
        await seriesValue(metrics, "scimgw_directory_db_pool_connections_max"),
        storeUnderTest.name === "sqlite" ? sqliteReadConnectionsDefault : 4,
      );
      for (const gauge of ["in_use", "idle", "opening"]) {
        assert.ok((await seriesValue(metrics, `scimgw_directory_db_pool_connections_${gauge}`)) !== undefined, gauge);
      }
      assert.equal(await seriesValue(metrics, "scimgw_directory_db_pool_acquires_waiting"), 0);
    });

    test("SQLite's writer: its queue now, its commits, the writes they carried and its busy time", {
      skip: storeUnderTest.name !== "sqlite",
    }, async () => {
      const commitsBefore = (await seriesValue(metrics, "scimgw_directory_sqlite_commits_total")) ?? 0;
      const writesBefore = (await seriesValue(metrics, "scimgw_directory_sqlite_writes_committed_total")) ?? 0;
      const busyBefore = (await seriesValue(metrics, "scimgw_directory_sqlite_writer_busy_seconds_total")) ?? 0;
      const users = createClient(UserService, transport);
      await Promise.all(
        ["w1", "w2", "w3"].map((name) => users.createUser({ tenantId, user: create(UserSchema, { userName: `${name}@example.com` }) })),
      );
      const commits = ((await seriesValue(metrics, "scimgw_directory_sqlite_commits_total")) ?? 0) - commitsBefore;
      const writes = ((await seriesValue(metrics, "scimgw_directory_sqlite_writes_committed_total")) ?? 0) - writesBefore;
      assert.equal(writes, 3);
      const busy = ((await seriesValue(metrics, "scimgw_directory_sqlite_writer_busy_seconds_total")) ?? 0) - busyBefore;
      assert.ok(busy > 0 && busy < 60, `the writer was busy ${busy} s for three creates`);
      assert.ok(commits >= 1 && commits <= 3, `${commits} commits`);
      assert.equal(await seriesValue(metrics, "scimgw_directory_sqlite_writes_queued"), 0);
    });

    test("a stream's lag is its tenant's newest sequence number minus the last one it sent", async () => {
      const tenant = (await createTenantStore(db).create("lagging")).id;
      const users = createUserStore(db);
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_streams_open"), 0);
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_stream_max_lag_events"), 0);
      const stream = metrics.observeChangeStreams(tenant, 0n);
      for (const userName of ["x@example.com", "y@example.com", "z@example.com"]) {
        await users.create(tenant, create(UserSchema, { userName }));
      }
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_streams_open"), 1);
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_stream_max_lag_events"), 3);
      stream.sent(2n);
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_stream_max_lag_events"), 1);
      stream.closed();
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_streams_open"), 0);
      assert.equal(await seriesValue(metrics, "scimgw_directory_change_stream_max_lag_events"), 0);
    });

    test("a WatchChanges stream is open from its first event", async () => {
      await createUserStore(db).create(tenantId, create(UserSchema, { userName: "c@example.com" }));
      const controller = new AbortController();
      const stream = createClient(ChangeService, transport).watchChanges({ tenantId, afterSeq: 0n }, { signal: controller.signal });
      for await (const _ of stream) {
        assert.equal(await seriesValue(metrics, "scimgw_directory_change_streams_open"), 1);
        break;
      }
      controller.abort();
    });
  });
}

// No store: the observer alone, told of a refusal as the gate makes it.
test("a call the tenant gate refused is counted as such", async () => {
  const metrics = createDirectoryMetrics({ db: { client: {} } as unknown as Knex, processMetrics: false });
  const call = metrics.observeCall(
    { method: "scimgw.directory.v1.GroupService/PatchGroup" } as Parameters<typeof metrics.observeCall>[0],
    {},
  );
  call.end(Code.RESOURCE_EXHAUSTED, new RpcError(Code.RESOURCE_EXHAUSTED, "busy", { reason: ErrorReason.TENANT_BUSY }));
  assert.equal(
    await seriesValue(
      metrics,
      'scimgw_directory_tenant_busy_refusals_total{grpc_service="scimgw.directory.v1.GroupService",grpc_method="PatchGroup"}',
    ),
    1,
  );
  assert.equal(
    await seriesValue(
      metrics,
      'scimgw_directory_rpc_calls_total{grpc_service="scimgw.directory.v1.GroupService",grpc_method="PatchGroup",grpc_code="RESOURCE_EXHAUSTED"}',
    ),
    1,
  );
});
