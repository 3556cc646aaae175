import type { Knex } from "knex";
import { LRUCache } from "lru-cache";
import { atCommit, heldBefore, holdsAtCommit, insertAll, type CommitStep } from "../database/at-commit.js";
import { groupRows } from "../database/group-rows.js";
import { schemaChanged } from "../errors/directory-errors.js";

/** What a transaction does to its tenant's row: how many numbers it takes from each log, and how its counts of resources move. */
export interface TenantRowClaim {
  changes: number;
  activity: number;
  /** Users created minus users deleted by the transaction; default 0. */
  users?: number;
  /** Groups created minus groups deleted; default 0. */
  groups?: number;
}

/**
 * Claims the tenant's row for the rest of the transaction, in one statement that does everything a
 * write needs of it: takes the next numbers of the tenant's change log and activity log and returns
 * the last number of each now taken (the claim's numbers end there), moves its counts of users and
 * groups, and reads its schema revision; undefined when the tenant does not exist. The counters
 * live on the tenant's row, which the statement locks until commit: writers of one tenant queue
 * there, so numbers commit in the order they are handed out, without gaps, and a follower reading
 * `seq > cursor` never skips one. Call it last in a transaction, to hold the lock briefly. It also
 * reads the tenant's schema revision under that lock: a schema change updates the same row, so the
 * revision read here is the one the write commits under (the write checks it). The tenant's
 * user_count and group_count move in the same statement, so they commit or roll back with the rows
 * they count. Writes claim through claimAtCommit, which in a group commit makes this one statement
 * for the whole group at its end.
 */
export async function claimTenantRow(
  trx: Knex.Transaction,
  tenantId: string,
  claim: TenantRowClaim,
): Promise<{ lastChangeSeq: bigint; lastActivitySeq: bigint; schemaRevision: bigint } | undefined> {
  const bumps: Record<string, Knex.Raw> = {};
  if (claim.changes > 0) bumps.last_change_seq = trx.raw("?? + ?", ["last_change_seq", claim.changes]);
  if (claim.activity > 0) bumps.last_activity_seq = trx.raw("?? + ?", ["last_activity_seq", claim.activity]);
  if (Object.keys(bumps).length === 0) throw new RangeError("a sequence claim takes at least one number");
  if (claim.users) bumps.user_count = trx.raw("?? + ?", ["user_count", claim.users]);
  if (claim.groups) bumps.group_count = trx.raw("?? + ?", ["group_count", claim.groups]);
  // RETURNING (SQLite 3.35+, PostgreSQL) reads the new counters in the same statement: one
  // statement fewer on every write, which on SQLite all queue on the one writer connection.
  const [row] = await trx("tenants").where("id", tenantId).update(bumps, ["last_change_seq", "last_activity_seq", "schema_revision"]);
  if (row === undefined) return undefined;
  return {
    lastChangeSeq: BigInt(row.last_change_seq),
    lastActivitySeq: BigInt(row.last_activity_seq),
    schemaRevision: BigInt(row.schema_revision),
  };
}

/** A write's claim on its tenant's row and the log rows its numbers are for. */
export interface HeldClaim {
  tenantId: string;
  claim: TenantRowClaim;
  /** The revision the write's values were validated by, if they were: the claim fails if the tenant's is another. */
  schemaRevision: bigint | undefined;
  /**
   * The write's activity entry (an UnnumberedActivityRow), if it has one. The log rows are typed
   * by their own folders (activity/, changes/), which import this one; here they are rows to number.
   */
  activity: object | undefined;
  /** The write's change events (ChangeEventRows without their seq), `claim.changes` of them. */
  changes: readonly object[];
}

/**
 * Each tenant's schema revision as this process last read or set it, per database (knex shares one
 * config object between a database and its transactions): claimAtCommit's hint. Only ever a hint:
 * a write whose revision disagrees with it reads the revision, and every claim checks it.
 */
const knownRevisions = new WeakMap<object, LRUCache<string, bigint>>();

function knownRevisionsOf(trx: Knex.Transaction): LRUCache<string, bigint> {
  const config = trx.client.config as object;
  let known = knownRevisions.get(config);
  if (known === undefined) {
    known = new LRUCache<string, bigint>({ max: 10_000 });
    knownRevisions.set(config, known);
  }
  return known;
}

/** Tells claimAtCommit's hint of a tenant's new schema revision, set by the write in `trx` (a schema change). */
export function noteSchemaRevision(trx: Knex.Transaction, tenantId: string, revision: bigint): void {
  knownRevisionsOf(trx).set(tenantId, revision);
}

/**
 * Claims each tenant's row once for the claims of its writes (one write's alone; in a group
 * commit the whole group's, their numbers summed and handed out in the writes' order, one statement
 * per tenant instead of one per write) and inserts the log rows so numbered. A claim validated by
 * a schema revision that is no longer the tenant's fails with SCHEMA_CHANGED: alone, that write
 * rolls back; in a group, the whole group does, and its writes run again alone, each then told
 * its own answer.
 */
const claimStep: CommitStep<HeldClaim> = {
  async settle(trx, claims) {
    const byTenant = groupRows(claims, (held) => held.tenantId);
    for (const [tenantId, tenantClaims] of byTenant) {
      const claim = sumOf(tenantClaims);
      const claimed = await claimTenantRow(trx, tenantId, claim);
      if (claimed === undefined) throw new Error(`tenant ${tenantId} vanished during a write to it`);
      knownRevisionsOf(trx).set(tenantId, claimed.schemaRevision);
      const stale = tenantClaims.find((held) => held.schemaRevision !== undefined && held.schemaRevision !== claimed.schemaRevision);
      if (stale?.schemaRevision !== undefined) throw schemaChanged(stale.schemaRevision, claimed.schemaRevision);
      let activitySeq = Number(claimed.lastActivitySeq) - claim.activity;
      let changeSeq = Number(claimed.lastChangeSeq) - claim.changes;
      const activityRows = tenantClaims.flatMap((held) => (held.activity === undefined ? [] : [{ ...held.activity, seq: ++activitySeq }]));
      const changeRows = tenantClaims.flatMap((held) => held.changes.map((row) => ({ ...row, seq: ++changeSeq })));
      await insertAll(trx, "activity_entries", activityRows);
      await insertAll(trx, "change_events", changeRows);
    }
  },
};

function sumOf(claims: readonly HeldClaim[]): Required<TenantRowClaim> {
  const sum = { changes: 0, activity: 0, users: 0, groups: 0 };
  for (const { claim } of claims) {
    sum.changes += claim.changes;
    sum.activity += claim.activity;
    sum.users += claim.users ?? 0;
    sum.groups += claim.groups ?? 0;
  }
  return sum;
}

/**
 * Claims the tenant's row for a write and inserts its log rows, numbered: at once alone, at its
 * group's end in a group commit (claimStep), which checks the write's schema revision. Call it last
 * in the write's transaction.
 */
export async function claimAtCommit(trx: Knex.Transaction, held: HeldClaim): Promise<void> {
  await atCommit(trx, claimStep, [held]);
}

/**
 * In a group commit, refuses a write validated by a schema revision that is no longer the tenant's
 * (SCHEMA_CHANGED) before it changes anything, so that it fails alone: a write of a group that fails
 * after changing rows sends the whole group to run again alone (writeInGroup). Checked against the
 * revision this process knows, or, when they disagree (a schema change by another process, one in
 * this group, a first write), against the tenant's row, read in the write's own transaction. Alone,
 * it does nothing: the claim checks (claimStep), and the whole transaction rolls back. Call it first
 * in a write that passes a schema revision to recordChanges.
 */
export async function refuseStaleSchema(trx: Knex.Transaction, tenantId: string, schemaRevision: bigint): Promise<void> {
  const known = knownRevisionsOf(trx);
  if (!holdsAtCommit(trx) || known.get(tenantId) === schemaRevision) return;
  const row = await trx("tenants").where("id", tenantId).first("schema_revision");
  if (row === undefined) return;
  const revision = BigInt(row.schema_revision);
  known.set(tenantId, revision);
  if (revision !== schemaRevision) throw schemaChanged(schemaRevision, revision);
}

/**
 * How the claims held by the writes before this one in its group will move the tenant's counts at
 * the group's end (zero alone): what a write that reads or sets the counts must allow for.
 */
export function pendingCountsOf(trx: Knex.Transaction, tenantId: string): { users: number; groups: number } {
  const { users, groups } = sumOf(heldBefore(trx, claimStep).filter((held) => held.tenantId === tenantId));
  return { users, groups };
}
