import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName, type StoreKind } from "@scimgw/test-stores";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { openDatabase, type DatabaseLocation } from "../database/open-database.js";

export interface TemporaryDatabase {
  db: Knex;
  location: DatabaseLocation;
  dispose(): Promise<void>;
}

export interface StoreUnderTest {
  name: StoreKind;
  /** A fresh, migrated database of this kind that no other test sees. */
  open(options?: { migrate?: boolean }): Promise<TemporaryDatabase>;
}

const sqlite: StoreUnderTest = {
  name: "sqlite",
  async open({ migrate = true } = {}) {
    const folder = mkdtempSync(path.join(tmpdir(), "scimgw-directory-"));
    const location: DatabaseLocation = { kind: "sqlite", filename: path.join(folder, "directory.sqlite") };
    const db = openDatabase(location);
    if (migrate) await migrateToLatest(db);
    return {
      db,
      location,
      dispose: async () => {
        await db.destroy();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  },
};

/** Each PostgreSQL test database is a schema of its own, dropped afterwards. */
const postgres: StoreUnderTest = {
  name: "postgres",
  async open({ migrate = true } = {}) {
    const schema = uniqueSchemaName("directory_test");
    const location: DatabaseLocation = { kind: "postgres", url: testPostgresUrl, schema, poolMax: 4, statementTimeoutMs: 30_000 };
    const db = openDatabase(location);
    if (migrate) await migrateToLatest(db);
    return {
      db,
      location,
      dispose: async () => {
        await db.raw("drop schema if exists ?? cascade", [schema]);
        await db.destroy();
      },
    };
  },
};

const stores: Record<StoreKind, StoreUnderTest> = { sqlite, postgres };

/** SQLite always; PostgreSQL when reachable (and always in CI): see @scimgw/test-stores. */
export const storesUnderTest: StoreUnderTest[] = (await storeKindsUnderTest()).map((kind) => stores[kind]);
