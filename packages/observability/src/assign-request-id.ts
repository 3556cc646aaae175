import { requestIdFor, requestIdHeader } from "./request-id.js";
import { runWithRequestId } from "./request-context.js";

/** What assignRequestId needs of an HTTP context: Koa's ctx has both (typed here so this package needs no Koa). */
export interface RequestIdContext {
  get(field: string): string;
  set(field: string, value: string): void;
}

/**
 * Outermost middleware of an HTTP service: gives the request its id (the caller's `X-Request-Id`
 * if it is short and safe, else a new one), returns it on the response whatever the outcome, since
 * the header is set before anything can fail, and runs the rest of the request with it, so its log
 * lines (createLogger) and directory calls (outgoingCallMetadata) carry it.
 */
export function assignRequestId<T>(ctx: RequestIdContext, next: () => Promise<T>): Promise<T> {
  const requestId = requestIdFor(ctx.get(requestIdHeader) || undefined);
  ctx.set(requestIdHeader, requestId);
  return runWithRequestId(requestId, next);
}
