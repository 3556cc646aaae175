import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import type { Knex } from "knex";
import { openDatabase, writerOf } from "../database/open-database.js";

type SqliteMethod = (...args: unknown[]) => unknown;
const sqlite3 = createRequire(import.meta.url)("sqlite3") as Record<"Database" | "Statement", { prototype: Record<string, SqliteMethod> }>;

interface CallCount {
  count(): number;
  restore(): void;
}

/** Counts the calls of the named node-sqlite3 methods, in every connection, until restored. */
function countCalls(methods: ReadonlyArray<readonly ["Database" | "Statement", string]>): CallCount {
  let calls = 0;
  const restores = methods.map(([kind, method]) => {
    const { prototype } = sqlite3[kind];
    const original = prototype[method] as SqliteMethod;
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    };
    return () => {
      prototype[method] = original;
    };
  });
  return {
    count: () => calls,
    restore: () => {
      for (const restore of restores) restore();
    },
  };
}

/**
 * Counts the statements node-sqlite3 prepares: through prepare(), which the kept-statement path
 * calls, and through Database#run and #all, which prepare a statement, run and finalize it (knex's
 * own path).
 */
export function countPrepares(): CallCount {
  return countCalls([
    ["Database", "prepare"],
    ["Database", "run"],
    ["Database", "all"],
  ]);
}

/**
 * Counts the calls that run SQL on a kept statement or several statements at once (exec), each a
 * trip through node-sqlite3's thread pool; the writer runs every statement of a transaction so.
 */
export function countStatementRuns(): CallCount {
  return countCalls([
    ["Database", "exec"],
    ["Statement", "run"],
    ["Statement", "all"],
  ]);
}

export interface ThingsDatabase {
  db: Knex;
  writer: Knex;
  dispose(): Promise<void>;
}

/**
 * A fresh SQLite file database with one read connection, so every read runs on the same one, and a
 * table `things (id, name)` made by its writer: for the tests of how connections run statements.
 */
export async function openThingsDatabase(): Promise<ThingsDatabase> {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-statements-"));
  const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "directory.sqlite"), readConnections: 1 });
  const writer = writerOf(db)?.knex;
  if (writer === undefined) throw new Error("a file database has a writer of its own");
  await writer.schema.createTable("things", (table) => {
    table.integer("id").primary();
    table.text("name");
  });
  return {
    db,
    writer,
    async dispose() {
      await db.destroy().catch(() => {});
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a things database (openThingsDatabase) before the tests of the describe it is called in,
 * hands it to `opened`, and disposes of it after them.
 */
export function useThingsDatabase(opened: (things: ThingsDatabase) => void | Promise<void>): void {
  let things: ThingsDatabase | undefined;
  before(async () => {
    things = await openThingsDatabase();
    await opened(things);
  });
  after(() => things?.dispose());
}
