import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * A write that lost to a concurrent one and was rolled back whole, so running it again is safe:
 * SQLite's SQLITE_BUSY (another process held the write lock past the busy timeout), PostgreSQL's
 * serialization failure (40001), deadlock (40P01) and lock timeout (55P03).
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === "SQLITE_BUSY" || code === "40001" || code === "40P01" || code === "55P03";
}

/** The store cannot be reached or has no free connection: transient, the client may retry later. */
export function isStoreUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "ECONNREFUSED" || code === "ECONNRESET" || code === "ETIMEDOUT" || code === "57P01" || code === "57P03") return true;
  if (code === "57014") return true; // statement_timeout: the store is overloaded, not the request wrong
  return error instanceof Error && error.name === "KnexTimeoutError";
}

/**
 * Runs a whole store operation again when it lost a conflict, with jittered backoff. What still
 * fails, and an unreachable store, becomes UNAVAILABLE: the client sees a 503 with Retry-After,
 * never a 500, and nothing was half-written because each attempt is one transaction.
 */
export async function withConflictRetry<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      // SQLITE_BUSY arrives after the connection's busy timeout already waited for the other writer:
      // waiting again would outlast the caller's deadline, so it is reported at once.
      const worthRetrying = isRetryableConflict(error) && codeOf(error) !== "SQLITE_BUSY";
      if (worthRetrying && attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt * (0.5 + Math.random())));
        continue;
      }
      if (isRetryableConflict(error)) {
        throw new RpcError(Code.UNAVAILABLE, "the store is busy with conflicting writes; retry", {
          reason: ErrorReason.STORE_BUSY,
          cause: error,
        });
      }
      if (isStoreUnavailable(error)) {
        throw new RpcError(Code.UNAVAILABLE, "the store is unavailable; retry", { reason: ErrorReason.STORE_UNAVAILABLE, cause: error });
      }
      throw error;
    }
  }
}

/** Every method of a service implementation, each call run under withConflictRetry. */
export function retryingConflicts<T extends object>(implementation: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(implementation)) {
    wrapped[name] =
      typeof method === "function" ? (...args: unknown[]) => withConflictRetry(() => method.apply(implementation, args)) : method;
  }
  return wrapped as T;
}
