// The SQLite database holds every tenant's users and every key's hash: it and its WAL and SHM
// files are owner-only, in an owner-only folder, even under a permissive umask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateToLatest } from "./migrations/migrate.js";
import { openDatabase } from "./open-database.js";

const modeOf = (file: string) => statSync(file).mode & 0o777;

test("a fresh SQLite database, its WAL and SHM are 0600 in a 0700 folder", async () => {
  const parent = mkdtempSync(path.join(tmpdir(), "scimgw-modes-"));
  const previous = process.umask(0o022);
  const folder = path.join(parent, "data", "fresh");
  const filename = path.join(folder, "directory.sqlite");
  const db = openDatabase({ kind: "sqlite", filename });
  try {
    await migrateToLatest(db);
    await db("tenants").insert({ id: "t", name: "t", created_at: new Date().toISOString() });
    assert.equal(modeOf(folder).toString(8), "700");
    for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) assert.equal(modeOf(file).toString(8), "600", file);
  } finally {
    process.umask(previous);
    await db.destroy();
    rmSync(parent, { recursive: true, force: true });
  }
});
