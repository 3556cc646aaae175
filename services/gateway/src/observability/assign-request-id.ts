import type { Context } from "koa";
import { requestIdHeader } from "@scimgw/observability";

/** The id assignRequestId (@scimgw/observability) gave the request, for code that runs outside its work (Koa's error event). */
export function requestIdOf(ctx: Context): string | undefined {
  return ctx.response.get(requestIdHeader) || undefined;
}
