import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import { createDirectoryServer, createServiceCredentialStore, migrateToLatest, openDatabase } from "@scimgw/directory";
import { createDirectoryClient, type DirectoryClient } from "@scimgw/directory-client";
import { cursorFile, followDeactivations, type Deactivation } from "./follow-deactivations.js";

let folder = "";
let db: ReturnType<typeof openDatabase>;
let server: Server;
let client: DirectoryClient;
const tenantId = randomUUID();

before(async () => {
  folder = mkdtempSync(path.join(tmpdir(), "scimgw-consumer-"));
  db = openDatabase({ kind: "sqlite", filename: path.join(folder, "d.sqlite") });
  await migrateToLatest(db);
  await db("tenants").insert({ id: tenantId, name: "consumer test", created_at: new Date().toISOString() });
  server = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  // The consumer only reads; its writes here stand in for the gateway's, so it gets read-write.
  const { secret } = await createServiceCredentialStore(db).issue("consumer test", "read-write", "all");
  client = createDirectoryClient({ address: `127.0.0.1:${port}`, serviceCredential: secret });
});

after(async () => {
  client.close();
  server.forceShutdown();
  await db.destroy();
  rmSync(folder, { recursive: true, force: true });
});

async function deactivate(userName: string): Promise<string> {
  const { user } = await client.users.createUser({ tenantId, user: { userName } });
  await client.users.replaceUser({ tenantId, user: { ...user!, active: false } });
  return user!.id;
}

/** Runs the follower until it has reported `count` deactivations. */
async function follow(file: string, count: number): Promise<Deactivation[]> {
  const seen: Deactivation[] = [];
  const controller = new AbortController();
  await followDeactivations(
    client,
    tenantId,
    file,
    (deactivation) => {
      seen.push(deactivation);
      if (seen.length === count) setTimeout(() => controller.abort(), 100);
    },
    controller.signal,
  );
  return seen;
}

test("deactivations are reported once each, across a restart of the consumer", async () => {
  const file = path.join(folder, "cursor");
  const first = await deactivate("first@example.com");
  assert.deepEqual(
    (await follow(file, 1)).map((d) => d.userId),
    [first],
  );
  const stored = await cursorFile.read(file);
  assert.ok(stored >= 2n);

  const second = await deactivate("second@example.com");
  // A new run starts from the stored cursor: the first deactivation is not reported again.
  assert.deepEqual(
    (await follow(file, 1)).map((d) => d.userId),
    [second],
  );
});
