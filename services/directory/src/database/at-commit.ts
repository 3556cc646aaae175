import type { Knex } from "knex";

/**
 * Work a write in a group commit (group-commit.ts) leaves to its group's end: each step's items
 * from every write of the group that succeeded, in the order the writes held them, settled in the
 * group's transaction right before its COMMIT. On SQLite's one writer every statement is a round
 * trip that the writes queued behind it wait for, so a step that is one statement per write alone
 * becomes one statement per group.
 *
 * A write rolled back to its savepoint leaves nothing held. A step that fails at the group's end
 * (a row that collides, a check that no longer holds) rolls the whole group back, and its writes
 * run again alone, as any failed group does: alone, nothing is held, and each write's step runs at
 * once, inside its own transaction, with its own answer.
 */
export interface CommitStep<T> {
  settle(trx: Knex.Transaction, items: readonly T[]): Promise<void>;
}

/** What the writes of a group hold, by step, each step's items in the order they were held. */
export type HeldAtCommit = Map<CommitStep<unknown>, unknown[]>;

/** Per savepoint of a group commit: what it holds itself, and what the writes before it in its group hold. */
const heldBySavepoint = new WeakMap<Knex.Transaction, { own: HeldAtCommit; group: HeldAtCommit }>();

/**
 * Holds items of a step for the group's end when `trx` is a write's savepoint in a group commit,
 * and says whether it did; when it did not, the caller runs the step now (`step.settle`).
 * Only for work nothing reads back in the same transaction, or whose readers allow for it
 * (heldBefore): held work is not done until the group's end.
 */
export function holdAtCommit<T>(trx: Knex.Transaction, step: CommitStep<T>, items: readonly T[]): boolean {
  const held = heldBySavepoint.get(trx);
  if (held === undefined) return false;
  append(held.own, step as CommitStep<unknown>, items);
  return true;
}

/** Whether work held through `trx` waits for a group's end (it is a write's savepoint in a group commit). */
export function holdsAtCommit(trx: Knex.Transaction): boolean {
  return heldBySavepoint.has(trx);
}

/**
 * The step's items the writes before this one in its group hold (none alone): for a write that
 * reads what a held step will change, such as a count the group's end will move.
 */
export function heldBefore<T>(trx: Knex.Transaction, step: CommitStep<T>): readonly T[] {
  return (heldBySavepoint.get(trx)?.group.get(step as CommitStep<unknown>) ?? []) as T[];
}

/** Runs a step's items: held to the group's end inside a group commit, now otherwise. */
export async function atCommit<T>(trx: Knex.Transaction, step: CommitStep<T>, items: readonly T[]): Promise<void> {
  if (!holdAtCommit(trx, step, items)) await step.settle(trx, items);
}

/** Rows per INSERT: a log row has at most ~20 columns, well inside SQLite's 32,766 parameters. */
const rowsPerInsert = 200;

/** Inserts rows, a few hundred per statement. */
export async function insertAll(trx: Knex.Transaction, table: string, rows: readonly object[]): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerInsert) await trx(table).insert(rows.slice(start, start + rowsPerInsert));
}

/**
 * For the group commit: from now on, what is held through this savepoint is held in the map
 * returned; `group` is what the writes before it in its group hold.
 */
export function holdThrough(savepoint: Knex.Transaction, group: HeldAtCommit): HeldAtCommit {
  const own: HeldAtCommit = new Map();
  heldBySavepoint.set(savepoint, { own, group });
  return own;
}

/** For the group commit: adds a released savepoint's held work to its group's, after the work before it. */
export function keepHeld(group: HeldAtCommit, released: HeldAtCommit): void {
  for (const [step, items] of released) append(group, step, items);
}

function append(held: HeldAtCommit, step: CommitStep<unknown>, items: readonly unknown[]): void {
  const stepItems = held.get(step);
  if (stepItems === undefined) held.set(step, [...items]);
  else stepItems.push(...items);
}

/** For the group commit: settles a group's held work in its own transaction, before COMMIT, step by step in the order first held. */
export async function settleHeld(trx: Knex.Transaction, held: HeldAtCommit): Promise<void> {
  for (const [step, items] of held) await step.settle(trx, items);
}
