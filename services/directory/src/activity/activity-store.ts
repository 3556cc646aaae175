import type { Knex } from "knex";
import { writeTransaction } from "../database/write-transaction.js";
import type { KeysetColumn, KeysetPosition } from "../query/keyset.js";
import { claimTenantRow } from "../tenants/tenant-row-claim.js";
import { groupRows } from "../database/group-rows.js";
import type { ActivityRow, UnnumberedActivityRow } from "./activity-row.js";

/** Which entries of a tenant a reader wants; every filter set narrows them. */
export interface ActivityFilter {
  tenantId: string;
  /** Requests started at or after this instant (activityInstant form). */
  since?: string;
  /** Requests started before this instant. */
  until?: string;
  /** 2 for 2xx … 5 for 5xx. */
  statusClass?: number;
  status?: number;
  resourceId?: string;
  keyId?: string;
}

/** Latest first: the order of the indexes (tenant, [filter column,] started_at, seq), read backwards. */
export const latestFirst: readonly KeysetColumn[] = [
  { column: "started_at", sql: "started_at", descending: true, nullable: false },
  { column: "seq", sql: "seq", descending: true, nullable: false },
];

/** Rows deleted per statement when pruning: each delete is short, so writers interleave with it. */
export const pruneBatchSize = 1000;

export interface PruneLimits {
  /** Entries of requests started before this instant go. */
  olderThan: string;
  /** Each tenant keeps at most this many entries, the latest. */
  maxPerTenant: number;
  /** Rows per delete statement (default pruneBatchSize). */
  batchSize?: number;
  /** Runs between two deletes; a pause here lets other work take the store. */
  betweenBatches?: () => Promise<void>;
  /** Stops the prune between two batches (the directory is stopping). */
  signal?: AbortSignal;
}

export function createActivityStore(db: Knex) {
  const entries = (trx: Knex | Knex.Transaction = db) => trx<ActivityRow>("activity_entries");

  function matching(filter: ActivityFilter): Knex.QueryBuilder<ActivityRow> {
    const query = entries().where("tenant_id", filter.tenantId);
    if (filter.since !== undefined) query.andWhere("started_at", ">=", filter.since);
    if (filter.until !== undefined) query.andWhere("started_at", "<", filter.until);
    if (filter.statusClass !== undefined) query.andWhere("status_class", filter.statusClass);
    if (filter.status !== undefined) query.andWhere("status", filter.status);
    if (filter.resourceId !== undefined) query.andWhere("resource_id", filter.resourceId);
    if (filter.keyId !== undefined) query.andWhere("key_id", filter.keyId);
    return query;
  }

  return {
    /**
     * Up to `limit` matching entries, latest first, after a position of that order (the last row
     * of the previous page); `next` is where the following page starts, if there is one.
     */
    async listLatestFirst(
      filter: ActivityFilter,
      limit: number,
      after?: KeysetPosition,
    ): Promise<{ rows: ActivityRow[]; next: KeysetPosition | undefined }> {
      const query = matching(filter);
      if (after !== undefined) {
        const [startedAt, seq] = after as [string, string];
        query.andWhere((older) =>
          older.where("started_at", "<", startedAt).orWhere((tie) => tie.where("started_at", startedAt).andWhere("seq", "<", Number(seq))),
        );
      }
      const rows = await query
        .orderBy([
          { column: "started_at", order: "desc" },
          { column: "seq", order: "desc" },
        ])
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { rows: page, next: rows.length > limit && last !== undefined ? [last.started_at, String(last.seq)] : undefined };
    },

    /**
     * Up to `limit` matching entries recorded after sequence number `afterSeq`, in the order they
     * were recorded, up to sequence number `upTo` if given: a follower's next batch. Sequence
     * numbers commit in order (claimTenantRow), so reading `seq > cursor` never skips an entry, and
     * every entry up to a latestSeq once read is already committed. (Within one group commit a
     * batch recorded here takes its numbers before the writes' entries held to the group's end;
     * they all commit together.)
     */
    async listRecordedAfter(filter: ActivityFilter, afterSeq: bigint, limit: number, upTo?: bigint): Promise<ActivityRow[]> {
      const query = matching(filter).andWhere("seq", ">", Number(afterSeq));
      if (upTo !== undefined) query.andWhere("seq", "<=", Number(upTo));
      return query.orderBy("seq").limit(limit);
    },

    /** The tenant's latest activity sequence number (0 before its first entry); undefined for no such tenant. */
    async latestSeq(tenantId: string): Promise<bigint | undefined> {
      const row = await db("tenants").where("id", tenantId).first("last_activity_seq");
      return row === undefined ? undefined : BigInt(row.last_activity_seq);
    },

    /**
     * Records entries of any tenants in one transaction, numbering each tenant's in its sequence;
     * returns how many were recorded (entries of a tenant that no longer exists are dropped). Tenants
     * are taken in id order, so two batches can never wait on each other's tenant rows.
     */
    async append(rows: readonly UnnumberedActivityRow[]): Promise<number> {
      if (rows.length === 0) return 0;
      const byTenant = groupRows(rows, (row) => row.tenant_id);
      return writeTransaction(db, undefined, async (trx) => {
        let recorded = 0;
        for (const tenantId of [...byTenant.keys()].sort()) {
          const tenantRows = byTenant.get(tenantId) ?? [];
          const claimed = await claimTenantRow(trx, tenantId, { changes: 0, activity: tenantRows.length });
          if (claimed === undefined) continue;
          const first = Number(claimed.lastActivitySeq) - tenantRows.length + 1;
          const numbered = tenantRows.map((row, index) => ({ ...row, seq: first + index }));
          for (let start = 0; start < numbered.length; start += 100) await entries(trx).insert(numbered.slice(start, start + 100));
          recorded += numbered.length;
        }
        return recorded;
      });
    },

    /**
     * Deletes entries past the retention limits, in batches of their own statements so that no
     * delete holds the store for long. Returns how many were deleted.
     */
    async prune(limits: PruneLimits): Promise<number> {
      const batchSize = limits.batchSize ?? pruneBatchSize;
      let deleted = 0;
      const tenants: Array<{ id: string; last_activity_seq: number | string }> = await db("tenants").select("id", "last_activity_seq");
      for (const tenant of tenants) {
        // By count: sequence numbers have no gaps, so the latest maxPerTenant are those above this one.
        const keepAbove = Number(BigInt(tenant.last_activity_seq) - BigInt(limits.maxPerTenant));
        // Each range is read through an index in its own order (the primary key, the started index).
        const ranges = [
          (query: Knex.QueryBuilder) => query.andWhere("seq", "<=", keepAbove).orderBy("seq"),
          (query: Knex.QueryBuilder) => query.andWhere("started_at", "<", limits.olderThan).orderBy("started_at"),
        ];
        for (const range of ranges) {
          for (;;) {
            if (limits.signal?.aborted) return deleted;
            const removed = await writeTransaction(db, undefined, (trx) => {
              const batch = range(entries(trx).where("tenant_id", tenant.id).select("seq")).limit(batchSize);
              return entries(trx).where("tenant_id", tenant.id).whereIn("seq", batch).delete();
            });
            deleted += removed;
            if (removed < batchSize) break;
            await limits.betweenBatches?.();
          }
        }
      }
      return deleted;
    },
  };
}

export type ActivityStore = ReturnType<typeof createActivityStore>;
