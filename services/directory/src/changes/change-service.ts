import { ErrorReason, type ChangeService } from "@scimgw/proto";
import { Code, RpcError, type ServiceImplementationOf } from "@scimgw/grpc";
import { invalidArgument } from "../errors/directory-errors.js";
import { changeEventFromRow } from "./change-event-row.js";
import type { ChangeStore } from "./change-store.js";

/** Resolves after `ms`, or at once when any of the signals aborts; leaves no listener behind. */
function pause(ms: number, signals: ReadonlyArray<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const listening = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    const done = () => {
      clearTimeout(timer);
      // The server's stopping signal outlives every stream: a listener per poll would pile up.
      for (const signal of listening) signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of listening) signal.addEventListener("abort", done, { once: true });
  });
}

/** One open stream as an observer sees it (for metrics): each sequence number it sent, then its end. */
export interface OpenChangeStream {
  sent(seq: bigint): void;
  closed(): void;
}

/** Told of every stream that starts following a tenant's log, from the cursor it starts after. */
export type ObserveChangeStreams = (tenantId: string, afterSeq: bigint) => OpenChangeStream;

export interface ChangeServiceOptions {
  /** Events read per query while replaying. */
  batchSize?: number;
  /** How often a caught-up stream looks for new events (any replica may have written them). */
  pollIntervalMs?: number;
  /**
   * Aborted when the server starts shutting down: open streams then end with UNAVAILABLE
   * (reason SHUTTING_DOWN) after the last event they sent, instead of holding the shutdown until
   * it is forced; clients resume from their cursor on another replica or after the restart.
   */
  stopping?: AbortSignal;
  /** Watches the streams that pass the cursor checks (metrics: streams open and their lag). */
  observeStreams?: ObserveChangeStreams;
}

/**
 * Replays a tenant's change log after a cursor, then follows it. Reading `seq > cursor` in order
 * never skips an event, because sequence numbers are committed in order (see change-log.ts); the
 * cursor only moves past events that were sent, so a resumed stream repeats nothing.
 */
export function createChangeService(store: ChangeStore, options: ChangeServiceOptions = {}): ServiceImplementationOf<typeof ChangeService> {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  return {
    async *watchChanges(request, context) {
      if (request.tenantId === "") throw invalidArgument("tenant_id is required");
      if (request.afterSeq < 0n) throw invalidArgument("after_seq must not be negative");
      let after = request.afterSeq;
      // Events older than the retention window are pruned: a cursor from before the oldest kept
      // event cannot be served without a gap, so the consumer is told to resync instead.
      const oldestSeq = await store.oldestSeq(request.tenantId);
      if (oldestSeq !== undefined && after < oldestSeq - 1n) {
        throw new RpcError(
          Code.OUT_OF_RANGE,
          `changes after ${after} are no longer kept (the oldest kept is ${oldestSeq}); resync from the directory and follow from the latest sequence`,
          {
            reason: ErrorReason.CURSOR_EXPIRED,
            metadata: { oldest_seq: String(oldestSeq) },
          },
        );
      }
      if (oldestSeq === undefined && after > 0n) {
        const tenant = await store.sequenceOf(request.tenantId);
        if (tenant !== undefined && BigInt(tenant.last_change_seq) > after) {
          throw new RpcError(Code.OUT_OF_RANGE, `changes after ${after} are no longer kept; resync from the directory`, {
            reason: ErrorReason.CURSOR_EXPIRED,
          });
        }
      }
      const open = options.observeStreams?.(request.tenantId, after);
      try {
        while (!context.signal.aborted) {
          if (options.stopping?.aborted) {
            throw new RpcError(Code.UNAVAILABLE, `the directory is shutting down; resume after seq ${after}`, {
              reason: ErrorReason.SHUTTING_DOWN,
              metadata: { resume_after: String(after) },
            });
          }
          const rows = await store.listAfter(request.tenantId, after, batchSize);
          for (const row of rows) {
            yield { event: changeEventFromRow(row) };
            after = BigInt(row.seq);
            open?.sent(after);
          }
          if (rows.length < batchSize) await pause(pollIntervalMs, [context.signal, options.stopping]);
        }
      } finally {
        // Also when the caller goes away: the server returns the iterator, which runs this.
        open?.closed();
      }
    },
  };
}
