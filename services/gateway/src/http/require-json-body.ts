import type { Middleware } from "koa";
import { ScimError } from "@scimgw/scim";

const jsonTypes = ["application/scim+json", "application/json"];

/**
 * Requests with a body must say it is SCIM JSON or JSON (RFC 7644 §3.1 names
 * application/scim+json; Okta's POSTs send application/json); anything else is 415 before the
 * body is read.
 */
export const requireJsonBody: Middleware = async (ctx, next) => {
  if (["POST", "PUT", "PATCH"].includes(ctx.method) && !ctx.is(jsonTypes)) {
    throw ScimError.status(
      415,
      `Content-Type must be application/scim+json or application/json, not ${JSON.stringify(ctx.get("content-type") || "(none)")}.`,
    );
  }
  await next();
};
