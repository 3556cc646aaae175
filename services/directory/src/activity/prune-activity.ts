import { setTimeout as sleep } from "node:timers/promises";
import type { Knex } from "knex";
import type { Logger } from "pino";
import { activityInstant } from "./activity-row.js";
import { createActivityStore } from "./activity-store.js";

export interface ActivityRetention {
  /** Entries of requests older than this go (ACTIVITY_RETENTION_DAYS). */
  retentionDays: number;
  /** Each tenant keeps at most this many, the latest (ACTIVITY_MAX_ENTRIES_PER_TENANT). */
  maxEntriesPerTenant: number;
}

/** How often the log is pruned; a busy tenant outgrows its count limit by at most a minute's entries. */
const pruneEveryMs = 60_000;
/** The pause between two delete batches, so writers get the store between them. */
const pauseBetweenBatchesMs = 10;

/** Prunes the activity log once, now; returns how many entries went. */
export async function pruneActivity(db: Knex, retention: ActivityRetention, options: { signal?: AbortSignal; now?: number } = {}) {
  const olderThan = activityInstant((options.now ?? Date.now()) - retention.retentionDays * 24 * 60 * 60 * 1000);
  return createActivityStore(db).prune({
    olderThan,
    maxPerTenant: retention.maxEntriesPerTenant,
    betweenBatches: () => sleep(pauseBetweenBatchesMs),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/**
 * Prunes the activity log in the background, at start and then every minute, in small batches (see
 * ActivityStore.prune). Any number of replicas may run it: deletes are idempotent. `stop` ends it
 * between two batches and resolves once it has.
 */
export function startActivityPruning(db: Knex, retention: ActivityRetention, logger: Logger): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const run = async () => {
    while (!stopping.signal.aborted) {
      try {
        const deleted = await pruneActivity(db, retention, { signal: stopping.signal });
        if (deleted > 0) logger.info({ deleted, ...retention }, "pruned activity entries");
      } catch (error) {
        if (!stopping.signal.aborted) logger.warn({ err: error }, "pruning activity entries failed");
      }
      await sleep(pruneEveryMs, undefined, { signal: stopping.signal, ref: false }).catch(() => {});
    }
  };
  const running = run();
  return {
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
