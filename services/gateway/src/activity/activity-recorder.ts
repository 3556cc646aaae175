import { setTimeout as sleep } from "node:timers/promises";
import type { ActivityEntry } from "@scimgw/proto";
import type { Logger } from "pino";

/** Why entries did not reach the activity log. */
export type ActivityDropReason = "tenant_rate" | "queue_full" | "undeliverable";

export interface ActivityRecorderOptions {
  /** Records a batch in the directory (ActivityService.RecordActivity); rejects when it could not. */
  send(entries: ActivityEntry[]): Promise<void>;
  logger: Logger;
  /** How long an entry may wait for its batch: what a crash of the gateway can lose. Default 1 s. */
  flushEveryMs?: number;
  /**
   * Entries one tenant may add per batch; more are dropped (and counted): a tenant's flood of
   * refused requests must not become a flood of writes to the store every tenant shares. Default
   * 500, above the default tenant rate limit of 100 requests a second with its burst.
   */
  maxPerTenantPerFlush?: number;
  /**
   * Entries held at most, all tenants together (the directory may be down). Default 5,000: several
   * times what one gateway serves in a second, so only floods reach it, and a batch stays a small
   * write for the store every tenant shares.
   */
  maxQueued?: number;
  /** Told of every entry dropped, for metrics. */
  onDropped?: (reason: ActivityDropReason, count: number) => void;
}

/** Entries per RecordActivity call, the directory's most. */
const maxPerCall = 1000;
/** Batches an entry may be sent in before it is given up (the directory down for this many flushes). */
const maxAttempts = 3;

interface Queued {
  entry: ActivityEntry;
  attempts: number;
}

/**
 * Collects the activity entries the gateway records (reads, failures, refusals; successful writes
 * are the directory's) and sends them in batches, at least every second. A crash loses at most the
 * entries of the batch not yet sent; a directory outage keeps them for a few batches, bounded.
 */
export function createActivityRecorder(options: ActivityRecorderOptions) {
  const flushEveryMs = options.flushEveryMs ?? 1000;
  const maxPerTenant = options.maxPerTenantPerFlush ?? 500;
  const maxQueued = options.maxQueued ?? 5000;
  let queue: Queued[] = [];
  let perTenant = new Map<string, number>();
  let droppedByTenant = new Map<string, number>();
  let flushing: Promise<void> | undefined;
  const stopping = new AbortController();

  const drop = (reason: ActivityDropReason, count: number) => {
    if (count > 0) options.onDropped?.(reason, count);
  };

  async function sendQueued(): Promise<void> {
    const batch = queue;
    queue = [];
    const dropped = droppedByTenant;
    perTenant = new Map();
    droppedByTenant = new Map();
    for (const [tenant, count] of dropped)
      options.logger.warn(
        { tenant, dropped: count, maxPerTenantPerFlush: maxPerTenant },
        "activity entries dropped: the tenant sent more requests than the log records per second",
      );
    for (let start = 0; start < batch.length; start += maxPerCall) {
      const chunk = batch.slice(start, start + maxPerCall);
      try {
        await options.send(chunk.map((queued) => queued.entry));
      } catch (error) {
        const retry = chunk.filter((queued) => ++queued.attempts < maxAttempts);
        const room = Math.max(0, maxQueued - queue.length);
        const kept = retry.slice(0, room);
        drop("undeliverable", chunk.length - kept.length);
        options.logger.warn({ err: error, entries: chunk.length, retried: kept.length }, "recording activity entries failed");
        queue = [...kept, ...queue];
      }
    }
  }

  function flush(): Promise<void> {
    flushing ??= sendQueued().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      await sleep(flushEveryMs, undefined, { signal: stopping.signal, ref: false }).catch(() => {});
      await flush();
    }
  })();

  return {
    /** Queues an entry for the next batch, unless its tenant or the queue is over its bound. */
    record(entry: ActivityEntry): void {
      const count = perTenant.get(entry.tenantId) ?? 0;
      if (count >= maxPerTenant) {
        droppedByTenant.set(entry.tenantId, (droppedByTenant.get(entry.tenantId) ?? 0) + 1);
        drop("tenant_rate", 1);
        return;
      }
      if (queue.length >= maxQueued) {
        drop("queue_full", 1);
        return;
      }
      perTenant.set(entry.tenantId, count + 1);
      queue.push({ entry, attempts: 0 });
    },

    /** Sends what is queued now. */
    flush,

    /** Entries waiting for their batch. */
    get queued(): number {
      return queue.length;
    },

    /** Stops the timer and sends what is left (the gateway is stopping). */
    async close(): Promise<void> {
      stopping.abort();
      await running;
      await flush();
    },
  };
}

export type ActivityRecorder = ReturnType<typeof createActivityRecorder>;
