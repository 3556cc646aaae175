import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { migrateToLatest } from "../database/migrate.js";
import { openDatabase } from "../database/open-database.js";

/** A migrated database in a fresh temporary file, and a way to throw it away. */
export async function temporaryDatabase(): Promise<{ db: Knex; dispose: () => Promise<void> }> {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-directory-"));
  const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "directory.sqlite") });
  await migrateToLatest(db);
  return {
    db,
    dispose: async () => {
      await db.destroy();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
