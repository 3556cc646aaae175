import type { Knex } from "knex";
import type { ChangeEventRow } from "./change-event-row.js";
import { writeTransaction } from "../database/write-transaction.js";

/**
 * The change log as WatchChanges reads it, and its pruning. Events are written by recordChanges
 * (change-log.ts) instead, inside each writer's own transaction.
 */
export function createChangeStore(db: Knex) {
  return {
    /** The sequence number of the tenant's oldest kept event; undefined when none is kept. */
    async oldestSeq(tenantId: string): Promise<bigint | undefined> {
      const oldest = await db("change_events").where("tenant_id", tenantId).min({ seq: "seq" }).first();
      return oldest?.seq === null || oldest?.seq === undefined ? undefined : BigInt(oldest.seq);
    },

    /** The tenant's sequence counter, which pruning leaves as it is; undefined for an unknown tenant. */
    async sequenceOf(tenantId: string): Promise<{ last_change_seq: number | string } | undefined> {
      return db("tenants").where("id", tenantId).first("last_change_seq");
    },

    /** Up to `limit` of the tenant's events after `afterSeq`, in sequence order. */
    async listAfter(tenantId: string, afterSeq: bigint, limit: number): Promise<ChangeEventRow[]> {
      return db("change_events").where("tenant_id", tenantId).andWhere("seq", ">", Number(afterSeq)).orderBy("seq").limit(limit);
    },

    /** Deletes every tenant's events that occurred before `cutoff` (ISO-8601 UTC); returns how many. */
    async deleteBefore(cutoff: string): Promise<number> {
      return writeTransaction(db, undefined, (trx) => trx("change_events").where("occurred_at", "<", cutoff).delete());
    },
  };
}

export type ChangeStore = ReturnType<typeof createChangeStore>;
