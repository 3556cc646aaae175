import { ChangeService, type ChangeEvent } from "@scimgw/proto";
import { Code, createClient, RpcError, type Transport } from "@scimgw/grpc";

export interface WatchOptions {
  /** Resume after this sequence number (the last one the consumer processed); 0 starts at the beginning. */
  after?: bigint;
  /** Stops the watch: the iteration ends without an error. */
  signal?: AbortSignal;
  /** Reconnect backoff: starts at `initialMs`, doubles up to `maxMs`, with jitter; reset by any event. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Told about every reconnect, e.g. to log it. */
  onReconnect?: (error: RpcError, attempt: number, delayMs: number) => void;
}

/** Failures a reconnect cannot fix: the request itself is wrong or not allowed. */
const fatal = new Set<Code>([
  Code.INVALID_ARGUMENT,
  Code.OUT_OF_RANGE,
  Code.UNAUTHENTICATED,
  Code.PERMISSION_DENIED,
  Code.NOT_FOUND,
  Code.UNIMPLEMENTED,
]);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * A tenant's changes, in order, each exactly once, for as long as the caller iterates: the
 * stream reconnects with backoff when the directory restarts or the connection drops, resuming
 * after the last event it yielded. Failures that retrying cannot fix are thrown.
 */
export async function* watchChanges(transport: Transport, tenantId: string, options: WatchOptions = {}): AsyncGenerator<ChangeEvent> {
  const client = createClient(ChangeService, transport);
  const initialMs = options.backoff?.initialMs ?? 100;
  const maxMs = options.backoff?.maxMs ?? 10_000;
  let after = options.after ?? 0n;
  let attempt = 0;
  while (!options.signal?.aborted) {
    try {
      for await (const response of client.watchChanges({ tenantId, afterSeq: after }, options.signal ? { signal: options.signal } : {})) {
        const event = response.event;
        if (event === undefined || event.seq <= after) continue; // never yield one twice
        after = event.seq;
        attempt = 0;
        yield event;
      }
    } catch (thrown) {
      if (options.signal?.aborted) return;
      const error = thrown instanceof RpcError ? thrown : new RpcError(Code.UNKNOWN, String(thrown), { cause: thrown });
      if (fatal.has(error.code)) throw error;
      attempt++;
      const delayMs = Math.min(maxMs, initialMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      options.onReconnect?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
