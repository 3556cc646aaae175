// The store's ceiling: what knex + sqlite3 (the product's driver stack) do on a fresh file in WAL
// mode, with no product code: autocommit INSERTs of one row each, under synchronous=FULL (what
// the product is to run with) and NORMAL, then SELECTs by an indexed column. Callers are as many
// as the load generator's connections, through one connection as the product's pool has.
// Prints one JSON line with the figures and exits.
//
//   SECONDS=5 CONCURRENCY=16 DIR=/tmp/x node --import tsx sqlite-ceiling-main.ts
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import knex, { type Knex } from "knex";
import type { SqliteCeilingFigures } from "./ceilings.js";

const seconds = Number(process.env.SECONDS ?? 5);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const folder = mkdtempSync(path.join(process.env.DIR ?? tmpdir(), "scimgw-bench-sqlite-"));

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

async function freshDatabase(synchronous: "FULL" | "NORMAL"): Promise<Knex> {
  const db = knex({
    client: "sqlite3",
    connection: { filename: path.join(folder, `ceiling-${synchronous.toLowerCase()}.sqlite`) },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: SqliteConnection) => void) {
        connection.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}`, (error) => done(error, connection));
      },
    },
  });
  // Shaped like the product's users table at its smallest: a key, a unique name, a document.
  await db.schema.createTable("rows", (table) => {
    table.string("id", 36).primary();
    table.text("name").notNullable().unique();
    table.text("body").notNullable();
  });
  return db;
}

/** Runs `operation` from `concurrency` callers until the time is up; returns operations per second. */
async function perSecond(operation: (n: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await operation(done++);
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const body = JSON.stringify({ givenName: "Bench", familyName: "User", emails: [{ value: "bench@example.com", type: "work" }] }).repeat(3);

async function insertRate(db: Knex, prefix: string): Promise<number> {
  return perSecond((n) => db("rows").insert({ id: randomUUID(), name: `${prefix}${n}@example.com`, body }));
}

try {
  const normal = await freshDatabase("NORMAL");
  const insertNormalPerSecond = await insertRate(normal, "normal");
  await normal.destroy();
  const full = await freshDatabase("FULL");
  const insertFullPerSecond = await insertRate(full, "full");
  const names = ((await full("rows").select("name")) as Array<{ name: string }>).map((row) => row.name);
  const selectPerSecond = await perSecond((n) =>
    full("rows")
      .where("name", names[n % names.length])
      .first(),
  );
  await full.destroy();
  const figures: SqliteCeilingFigures = { insertFullPerSecond, insertNormalPerSecond, selectPerSecond };
  console.log(JSON.stringify(figures));
} finally {
  rmSync(folder, { recursive: true, force: true });
}
