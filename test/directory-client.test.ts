// The typed client against the real directory server: unary calls with typed errors, and a
// change feed that survives the server restarting mid-stream, yielding every event once, in order.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import { createDirectoryServer, createServiceCredentialStore, migrateToLatest, openDatabase } from "@scimgw/directory";
import { ChangeKind, Code, createDirectoryClient, RpcError, ErrorReason, type ChangeEvent } from "@scimgw/directory-client";

let folder = "";
let db: ReturnType<typeof openDatabase>;
let server: Server | undefined;
let port = 0;
const tenantId = randomUUID();
let serviceCredential = "";

async function startServer(): Promise<void> {
  server = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
  port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
}

before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "scimgw-client-"));
  db = openDatabase({ kind: "sqlite", filename: path.join(folder, "d.sqlite") });
  await migrateToLatest(db);
  await db("tenants").insert({ id: tenantId, name: "client test", created_at: new Date().toISOString() });
  serviceCredential = (await createServiceCredentialStore(db).issue("client test", "read-write", "all")).secret;
  await startServer();
});

after(async () => {
  server?.forceShutdown();
  await db.destroy();
  rmSync(folder, { recursive: true, force: true });
});

test("unary calls are typed promises; failures are RpcErrors with the directory's reason", async () => {
  const client = createDirectoryClient({ address: `127.0.0.1:${port}`, serviceCredential });
  try {
    const { user } = await client.users.createUser({ tenantId, user: { userName: "typed@example.com" } });
    assert.equal(user?.userName, "typed@example.com");
    await assert.rejects(client.users.createUser({ tenantId, user: { userName: "TYPED@example.com" } }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, Code.ALREADY_EXISTS);
      assert.equal(error.reason, ErrorReason.UNIQUENESS);
      return true;
    });
    await assert.rejects(
      client.users.getUser({ tenantId, id: "nope" }, { timeoutMs: 2000 }),
      (error: unknown) => error instanceof RpcError && error.code === Code.NOT_FOUND,
    );
  } finally {
    client.close();
  }
});

test("watchChanges reconnects across a directory restart and misses or repeats nothing", async () => {
  const writer = createDirectoryClient({ address: `127.0.0.1:${port}`, serviceCredential });
  const reader = createDirectoryClient({ address: `127.0.0.1:${port}`, serviceCredential });
  const controller = new AbortController();
  const seen: ChangeEvent[] = [];
  let reconnects = 0;
  const consuming = (async () => {
    for await (const event of reader.watchChanges(tenantId, {
      signal: controller.signal,
      backoff: { initialMs: 20, maxMs: 200 },
      onReconnect: () => void reconnects++,
    })) {
      seen.push(event);
    }
  })();
  try {
    for (let i = 0; i < 5; i++) await writer.users.createUser({ tenantId, user: { userName: `before${i}@example.com` } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    server!.forceShutdown(); // the directory dies mid-stream
    await new Promise((resolve) => setTimeout(resolve, 200));
    await startServer(); // same port, same database
    // The writer's channel is reconnecting too: wait for it rather than fail fast.
    for (let i = 0; i < 5; i++)
      await writer.users.createUser({ tenantId, user: { userName: `after${i}@example.com` } }, { waitForReady: true });
    const expected = Number((await db("change_events").where("tenant_id", tenantId).max({ n: "seq" }).first())?.n);
    const deadline = Date.now() + 10_000;
    while (seen.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    controller.abort();
    await consuming;
    writer.close();
    reader.close();
  }
  assert.ok(reconnects >= 1, "the stream had to reconnect");
  assert.deepEqual(
    seen.map((event) => Number(event.seq)),
    Array.from({ length: seen.length }, (_, i) => i + 1),
  );
  assert.equal(seen.filter((event) => event.kind === ChangeKind.CREATED).length, 11, "1 user from the first test + 10 here");
});
