import type { Knex } from "knex";
import { migrateToLatest, migrationNames } from "../database/migrations/migrate.js";
import { dialectOf } from "../database/open-database.js";
import { copiedTables, defaultBatchSize, readInBatches, type CopiedTable } from "./copied-tables.js";
import { digestTable } from "./table-digest.js";
import { CopyStoreError } from "../errors/copy-store-error.js";
import { writeTransaction } from "../database/write-transaction.js";

export { CopyStoreError } from "../errors/copy-store-error.js";

export interface CopyOptions {
  /** Rows read and inserted per statement (default 500). */
  batchSize?: number;
  /**
   * Called after each batch (and once for an empty table), inside the target's transaction; the
   * copy waits for it, and its throwing aborts the copy and leaves the target as it was.
   */
  onProgress?: (table: string, copied: number, total: number) => void | Promise<void>;
}

export interface CopiedTableReport {
  table: string;
  copied: number;
  /** Rows counted by the verification, after the commit. */
  sourceRows: number;
  targetRows: number;
  digest: string;
}

export interface CopyReport {
  tables: CopiedTableReport[];
}

async function appliedMigrations(db: Knex): Promise<string[]> {
  if (!(await db.schema.hasTable("knex_migrations"))) return [];
  const rows: Array<{ name: string }> = await db("knex_migrations").select("name");
  return rows.map((row) => row.name).sort();
}

/**
 * Brings both databases to this version's schema and refuses unless they then have exactly the
 * same migrations applied, so that every column copied means the same on both sides.
 */
async function migrateBothToLatest(source: Knex, target: Knex): Promise<void> {
  for (const [side, db] of [
    ["source", source],
    ["target", target],
  ] as const) {
    // Checked first because knex fails on such a database with a puzzling "migration directory is corrupt".
    const unknown = (await appliedMigrations(db)).filter((name) => !migrationNames.includes(name));
    if (unknown.length > 0) {
      throw new CopyStoreError(
        `the ${side} database has migrations this version of the directory does not know (${unknown.join(", ")}): copy with the version that applied them`,
      );
    }
  }
  await migrateToLatest(source);
  await migrateToLatest(target);
  const [sourceMigrations, targetMigrations] = await Promise.all([appliedMigrations(source), appliedMigrations(target)]);
  if (sourceMigrations.join("\n") !== targetMigrations.join("\n")) {
    throw new CopyStoreError(
      `the source and target databases are at different migrations (source: ${sourceMigrations.join(", ")}; target: ${targetMigrations.join(", ")})`,
    );
  }
}

async function requireEmpty(target: Knex.Transaction): Promise<void> {
  const holdingRows: string[] = [];
  for (const table of copiedTables) {
    if ((await target(table.name).first()) !== undefined) holdingRows.push(table.name);
  }
  if (holdingRows.length > 0) {
    throw new CopyStoreError(
      `the target database is not empty (${holdingRows.join(", ")} hold rows): a copy only fills an empty database and never merges into one in use; copy into a new database, schema or file`,
    );
  }
}

/**
 * The source is read in one transaction so that every batch sees the same instant. An SQLite
 * transaction is a snapshot already (and knex warns about options it ignores); PostgreSQL's
 * default, read committed, is not.
 */
function snapshotOf(source: Knex): Knex.TransactionConfig {
  return dialectOf(source) === "postgres" ? { isolationLevel: "repeatable read", readOnly: true } : {};
}

async function copyTable(
  from: Knex.Transaction,
  to: Knex.Transaction,
  table: CopiedTable,
  batchSize: number,
  onProgress: CopyOptions["onProgress"],
): Promise<number> {
  const total = Number((await from(table.name).count({ n: "*" }).first())?.n ?? 0);
  if (total === 0) await onProgress?.(table.name, 0, 0);
  let copied = 0;
  for await (const batch of readInBatches(from, table, batchSize)) {
    await to(table.name).insert(batch);
    copied += batch.length;
    await onProgress?.(table.name, copied, total);
  }
  return copied;
}

/**
 * Reads both databases afresh after the commit, so what is checked is what was stored, and a
 * source written to during the copy (writes the copy may have missed) fails loudly.
 */
async function verify(source: Knex, target: Knex, copied: ReadonlyMap<string, number>, batchSize: number): Promise<CopiedTableReport[]> {
  const reports: CopiedTableReport[] = [];
  const mismatches: string[] = [];
  for (const table of copiedTables) {
    const [inSource, inTarget] = await Promise.all([digestTable(source, table, batchSize), digestTable(target, table, batchSize)]);
    reports.push({
      table: table.name,
      copied: copied.get(table.name) ?? 0,
      sourceRows: inSource.rows,
      targetRows: inTarget.rows,
      digest: inTarget.digest,
    });
    if (inSource.rows !== inTarget.rows || inSource.digest !== inTarget.digest) {
      mismatches.push(
        `${table.name}: source ${inSource.rows} rows (digest ${inSource.digest}), target ${inTarget.rows} rows (digest ${inTarget.digest})`,
      );
    }
  }
  if (mismatches.length > 0) {
    throw new CopyStoreError(
      [
        "the copy was committed but does not match its source; do not switch to it:",
        ...mismatches,
        "Was the directory still running? Stop every replica, empty the target (drop its schema or delete its file) and copy again.",
      ].join("\n  "),
    );
  }
  return reports;
}

/**
 * Copies everything the directory stores from one database into another, empty one, of either
 * kind (SQLite to PostgreSQL to outgrow one machine; back, or to a file, for a backup). All rows go
 * in in one transaction on the target, so a failure leaves it untouched; after the commit both
 * sides are read again and compared table by table.
 */
export async function copyStore(source: Knex, target: Knex, options: CopyOptions = {}): Promise<CopyReport> {
  const { batchSize = defaultBatchSize, onProgress } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  await migrateBothToLatest(source, target);
  const copied = await source.transaction(
    (snapshot) =>
      writeTransaction(target, undefined, async (write) => {
        await requireEmpty(write);
        const rowsCopied = new Map<string, number>();
        for (const table of copiedTables) rowsCopied.set(table.name, await copyTable(snapshot, write, table, batchSize, onProgress));
        return rowsCopied;
      }),
    snapshotOf(source),
  );
  return { tables: await verify(source, target, copied, batchSize) };
}
