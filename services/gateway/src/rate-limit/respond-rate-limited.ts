import type { Context } from "koa";
import type { ScimErrorBody } from "@scimgw/scim";
import { scimContentType } from "../errors/render-error.js";
import { recordFailure } from "../errors/request-failure.js";

/** Which limit refused a request: the names the counter hook and the logs use. */
export type RateLimitName = "api-key" | "tenant" | "failed-authentication";

/** Called once per refused request, for metrics (a Prometheus counter by limit, later). */
export type RateLimitRefusalHook = (limit: RateLimitName, tenantId: string | undefined) => void;

/**
 * Answers 429 Too Many Requests (RFC 6585 §4) in SCIM's error format (RFC 7644 §3.12, status as a
 * string, no scimType: none of §3.12's values fits), with Retry-After in whole seconds (RFC 9110
 * §10.2.3) so Okta and Entra, which both honour it, come back when the allowance has refilled.
 */
export function respondRateLimited(ctx: Context, detail: string, retryAfterMs: number): void {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const body: ScimErrorBody = {
    schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
    status: "429",
    detail: `${detail} Retry after ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`,
  };
  ctx.status = 429;
  ctx.set("Retry-After", String(retryAfter));
  ctx.type = scimContentType;
  ctx.body = JSON.stringify(body);
  // Answered here rather than thrown to renderError: recorded the same way, for the access line and the activity log.
  recordFailure(ctx, { status: 429, detail: body.detail, error: new Error(body.detail), unexpected: false });
}
