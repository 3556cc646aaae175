import type { Knex } from "knex";

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
 * groups, and reads its schema revision; undefined when the tenant does not exist. The counters live on the tenant's row, which the statement locks until commit: writers
 * of one tenant queue there, so numbers commit in the order they are handed out, without gaps, and
 * a follower reading `seq > cursor` never skips one. Call it last in a transaction, to hold the lock
 * briefly. It also reads the tenant's schema revision under that lock: a schema change updates the
 * same row, so the revision read here is the one the write commits under (the write checks it).
 * The tenant's user_count and group_count move in the same statement, so they commit or roll back
 * with the rows they count (a write in a group commit rolls back its own savepoint, counts too).
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
