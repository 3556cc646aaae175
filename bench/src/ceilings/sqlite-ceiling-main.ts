// The store's ceiling: what knex + sqlite3 (the product's driver stack) do in WAL mode, with no
// product code: autocommit INSERTs of one row each, under synchronous=FULL (what the product runs
// with) and NORMAL, and SELECTs by an indexed column. Callers are as many as the load generator's
// connections, through one connection as the product's writer has. A process of its own, forked by
// SqliteCeiling (ceilings.ts), which asks it for one phase at a time over IPC: the INSERT phase is
// measured again beside each write workload, in slices between the workload's.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import knex, { type Knex } from "knex";
import type { SqliteCeilingAnswer, SqliteCeilingJob, SqlitePhase } from "./ceilings.js";

const concurrency = Number(process.env.CONCURRENCY ?? 16);
const folder = mkdtempSync(path.join(process.env.DIR ?? "", "scimgw-bench-sqlite-"));

interface SqliteConnection {
  exec(sql: string, callback: (error: Error | null) => void): void;
}

async function openDatabase(synchronous: "FULL" | "NORMAL"): Promise<Knex> {
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

/** Runs `operation` from `concurrency` callers until `seconds` are up; returns operations per second. */
async function perSecond(seconds: number, operation: (n: number) => Promise<unknown>): Promise<number> {
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
const databases = { FULL: await openDatabase("FULL"), NORMAL: await openDatabase("NORMAL") };
/** Rows inserted so far: every INSERT's name is new, however many phases ran before. */
let inserted = 0;

async function measure(phase: SqlitePhase, seconds: number): Promise<number> {
  switch (phase) {
    case "insert-full":
    case "insert-normal": {
      const db = phase === "insert-full" ? databases.FULL : databases.NORMAL;
      return perSecond(seconds, () => db("rows").insert({ id: randomUUID(), name: `row${inserted++}@example.com`, body }));
    }
    case "select": {
      const names = ((await databases.FULL("rows").select("name")) as Array<{ name: string }>).map((row) => row.name);
      if (names.length === 0) throw new Error("select: measure insert-full first, so that there are rows to select");
      return perSecond(seconds, (n) =>
        databases
          .FULL("rows")
          .where("name", names[n % names.length])
          .first(),
      );
    }
  }
}

process.on("message", (job: SqliteCeilingJob) => {
  measure(job.phase, job.seconds).then(
    (perSecondFigure) => process.send?.({ perSecond: perSecondFigure } satisfies SqliteCeilingAnswer),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SqliteCeilingAnswer),
  );
});
process.once("SIGTERM", () => {
  void Promise.all([databases.FULL.destroy(), databases.NORMAL.destroy()]).finally(() => {
    rmSync(folder, { recursive: true, force: true });
    process.exit(0);
  });
});
// Ready: the harness waits for this before it sends the first job.
process.send?.({ ready: true });
