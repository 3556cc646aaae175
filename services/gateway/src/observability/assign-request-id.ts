import type { Context, Middleware } from "koa";
import { requestIdFor, requestIdHeader, runWithRequestId } from "@scimgw/observability";

/**
 * Outermost: gives the request its id (the caller's `X-Request-Id` if it is short and safe, else
 * a new one), returns it on the response whatever the outcome, since the header is set before
 * anything can fail, and runs the rest of the request with it, so its log lines and directory
 * calls carry it.
 */
export const assignRequestId: Middleware = (ctx, next) => {
  const requestId = requestIdFor(ctx.get(requestIdHeader) || undefined);
  ctx.set(requestIdHeader, requestId);
  return runWithRequestId(requestId, next);
};

/** The id assignRequestId gave the request, for code that runs outside its work (Koa's error event). */
export function requestIdOf(ctx: Context): string | undefined {
  return ctx.response.get(requestIdHeader) || undefined;
}
