import type { Knex } from "knex";

/** Rows waiting for their transaction's COMMIT, by table, in the order they were appended. */
export type HeldInserts = Map<string, object[]>;

/** Rows per INSERT: a log row has at most ~20 columns, well inside SQLite's 32,766 parameters. */
const rowsPerInsert = 200;

const heldBySavepoint = new WeakMap<Knex.Transaction, HeldInserts>();

/**
 * Appends rows to an append-only log table (change events, activity entries) as part of a write.
 *
 * Alone, the rows are inserted now. Inside a group commit (group-commit.ts) they are held until the
 * write's savepoint is released and then inserted with the rest of its group's, a few hundred rows
 * per statement, right before the group's COMMIT: on SQLite's one writer every statement is a round
 * trip that the writes queued behind it wait for, and these two inserts were a third of a user
 * write's statements. A write rolled back to its savepoint leaves nothing held; a group whose held
 * rows fail to insert rolls back whole, and its writes run again alone, as any failed group does.
 *
 * Only for rows nothing reads back in the same transaction: a held row is not in the table until
 * the group's end.
 */
export async function insertAtCommit(trx: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  const held = heldBySavepoint.get(trx);
  if (held === undefined) {
    await insertAll(trx, table, rows);
    return;
  }
  append(held, table, rows);
}

/** For the group commit: from now on, rows appended through this savepoint are held in the map returned. */
export function holdInserts(savepoint: Knex.Transaction): HeldInserts {
  const held: HeldInserts = new Map();
  heldBySavepoint.set(savepoint, held);
  return held;
}

/** For the group commit: adds a released savepoint's held rows to its group's, after the ones before it. */
export function keepHeldInserts(group: HeldInserts, released: HeldInserts): void {
  for (const [table, rows] of released) append(group, table, rows);
}

function append(held: HeldInserts, table: string, rows: readonly object[]): void {
  const tableRows = held.get(table);
  if (tableRows === undefined) held.set(table, [...rows]);
  else tableRows.push(...rows);
}

/** For the group commit: inserts a group's held rows in its own transaction, before COMMIT. */
export async function insertHeld(trx: Knex.Transaction, held: HeldInserts): Promise<void> {
  for (const [table, rows] of held) await insertAll(trx, table, rows);
}

async function insertAll(trx: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerInsert) await trx(table).insert(rows.slice(start, start + rowsPerInsert));
}
