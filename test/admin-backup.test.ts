// An operator's backup and restore on SQLite: `admin backup` runs as its own process while an IdP
// keeps creating users, and the file it writes, put in place of the store with the services
// stopped, brings back exactly one instant of the directory.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Product } from "./support/product.js";
import { scimClient, userSchemaUrn, type ScimResponse } from "./support/scim-client.js";

let product: Product;
before(async () => {
  product = await Product.start({ store: "sqlite" });
});
after(() => product.stop());

interface BackupReport {
  file: string;
  integrityCheck: string;
  schema: { pendingForThisBuild: string[] };
  tables: Array<{ table: string; rows: number }>;
}

/** The gateway answers 503 until it has reconnected to the restarted directory (within half a second). */
async function untilAnswered(request: () => Promise<ScimResponse>): Promise<ScimResponse> {
  for (let attempt = 0; ; attempt++) {
    const response = await request();
    if (response.status !== 503 || attempt === 50) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The n-th user the writer creates: names sort in creation order. */
const nameOf = (n: number) => `w-${String(n).padStart(5, "0")}@example.com`;

test("a backup taken while users are being created restores to one instant: every user acknowledged before it, none after", async () => {
  const scim = scimClient(product.baseUrl, product.apiKey);
  const seeded = await scim.post("/Users", { schemas: [userSchemaUrn], userName: nameOf(0) });
  assert.equal(seeded.status, 201);
  const group = await scim.post("/Groups", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: "Engineering",
    members: [{ value: seeded.body.id }],
  });
  assert.equal(group.status, 201);

  // One IdP connection creating users one after another, as a full push does.
  let acknowledged = 1;
  let stop = false;
  const writing = (async () => {
    while (!stop) {
      const created = await scim.post("/Users", { schemas: [userSchemaUrn], userName: nameOf(acknowledged) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      acknowledged += 1;
    }
  })();
  const file = path.join(product.dataDir, "backups", "before-restore.sqlite");
  let report: BackupReport;
  let acknowledgedBefore: number;
  let acknowledgedAfter: number;
  try {
    while (acknowledged < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    acknowledgedBefore = acknowledged;
    report = JSON.parse(await product.admin(["backup", "--to", file, "--json"])) as BackupReport;
    acknowledgedAfter = acknowledged;
  } finally {
    stop = true;
    await writing;
  }
  const written = acknowledged;
  const backedUp = report.tables.find((table) => table.table === "users")?.rows ?? -1;
  assert.equal(report.integrityCheck, "ok");
  assert.deepEqual(report.schema.pendingForThisBuild, []);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  // The writer went on while the backup ran (or the test proves nothing about a live store).
  assert.ok(acknowledgedAfter > acknowledgedBefore, `${acknowledgedBefore} → ${acknowledgedAfter}`);
  assert.ok(
    backedUp >= acknowledgedBefore && backedUp <= acknowledgedAfter,
    `${backedUp} not in ${acknowledgedBefore}…${acknowledgedAfter}`,
  );
  assert.ok(written > backedUp, "users created after the backup, which the restore must not have");

  // The README's restore: the directory stopped, the store (with its -wal and -shm) moved aside,
  // the backup copied in. The gateway keeps running and reconnects to the restarted directory.
  await product.stopDirectories();
  const live = path.join(product.dataDir, "directory.sqlite");
  for (const suffix of ["", "-wal", "-shm"])
    if (existsSync(`${live}${suffix}`)) renameSync(`${live}${suffix}`, `${live}.before-restore${suffix}`);
  copyFileSync(file, live);
  await product.startDirectories();

  const restored = scimClient(product.baseUrl, product.apiKey);
  const listed = await untilAnswered(() => restored.get("/Users?count=1000"));
  assert.equal(listed.status, 200, "the API key and the gateway's credential came back with the data");
  assert.equal(listed.body.totalResults, backedUp);
  const names = (listed.body.Resources as Array<{ userName: string }>).map((user) => user.userName).sort();
  // Exactly the first `backedUp` users the writer created: none missing in between, none after.
  assert.deepEqual(
    names,
    Array.from({ length: backedUp }, (_, n) => nameOf(n)),
  );
  const engineering = await restored.get(`/Groups/${group.body.id}`);
  assert.deepEqual(
    engineering.body.members.map((member: { value: string }) => member.value),
    [seeded.body.id],
  );
  // And the restored store takes writes again.
  assert.equal((await restored.post("/Users", { schemas: [userSchemaUrn], userName: nameOf(written) })).status, 201);
});

test("on PostgreSQL, backup refuses with exit code 2, names pg_dump, and writes nothing", async () => {
  // The refusal comes before any query, so no PostgreSQL needs to answer at this address.
  const adminMain = fileURLToPath(new URL("../services/directory/dist/admin/main.js", import.meta.url));
  const folder = path.join(product.dataDir, "pg-backups");
  const failure = await promisify(execFile)(process.execPath, [adminMain, "backup", "--to", path.join(folder, "x.sqlite")], {
    env: { PATH: process.env.PATH, DATA_DIR: product.dataDir, DATABASE_URL: "postgres://scim@127.0.0.1:1/scim", DATABASE_SCHEMA: "scim" },
  }).then(
    () => assert.fail("backup succeeded on PostgreSQL"),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(failure.code, 2);
  assert.match(failure.stderr, /^scimgw-admin: backup copies the SQLite store; this directory's store is PostgreSQL/);
  assert.match(failure.stderr, /pg_dump --format=custom --schema=scim --file=<file> <DATABASE_URL>/);
  assert.equal(existsSync(folder) ? readdirSync(folder).length : 0, 0);
});
