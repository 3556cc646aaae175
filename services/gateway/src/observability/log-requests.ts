import type { Context, Middleware } from "koa";
import type { Level, Logger } from "pino";
import { Code, RpcError } from "@scimgw/directory-client";
import type { AuthenticatedState } from "../auth/authenticate.js";
import { identityProviderOf } from "../http/identity-provider.js";
import { operationOf } from "../http/operation.js";
import { shownPath } from "../http/shown-path.js";
import { redactQuery } from "./redact-query.js";
import { failureOf, type RequestFailure } from "../errors/request-failure.js";

/** Probes come every few seconds from every load balancer: at debug, so they don't drown the requests. */
const probePaths = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Which failures an operator should see at warn: a key the gateway refuses (an IdP configured with
 * a wrong or revoked key), a forbidden call, and a body over the limit (MAX_BODY_SIZE may be too
 * low for a big group push). A 429 is already said at warn by the rate limiter; 404 and 409 are
 * routine in IdP syncs.
 */
const notedStatuses = new Set([401, 403, 413]);

function levelOf(ctx: Context): Level {
  if (probePaths.has(ctx.path)) return "debug";
  if (ctx.status >= 500) return "error";
  if (notedStatuses.has(ctx.status)) return "warn";
  return "info";
}

/**
 * What a failure's line says about its cause: a gateway bug (anything but a directory status
 * behind a 5xx) gets its stack; a directory status gets its code and message, a line rather than
 * a stack, since during an outage every request has the same one (the directory logs its own side
 * under the same request id); a noted 4xx its message, which is ours and holds no attribute value.
 */
function causeOf(failure: RequestFailure | undefined, level: Level): Record<string, unknown> {
  if (failure === undefined || level === "info" || level === "debug") return {};
  const { error } = failure;
  if (error instanceof RpcError) return { cause: `${Code[error.code]}: ${error.message}` };
  if (failure.unexpected) return { err: error };
  return { cause: error instanceof Error ? error.message : String(error) };
}

/**
 * One access line per request, once the client has its answer: who (tenant, API key, IdP), what
 * (operation, method, path, the query redacted), and how it went (status, scimType, latency);
 * a failure's cause rides on the same line, so it is logged once and next to its request.
 */
export function logRequests(logger: Logger): Middleware<AuthenticatedState> {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const failure = failureOf(ctx);
      const level = levelOf(ctx);
      const tenant = ctx.state.tenant;
      logger[level](
        {
          ...(tenant === undefined ? {} : { tenant: tenant.tenantId, keyId: tenant.keyId, keyLabel: tenant.keyLabel }),
          idp: identityProviderOf(ctx.get("user-agent") || undefined),
          operation: operationOf(ctx),
          method: ctx.method,
          path: shownPath(ctx.path),
          query: redactQuery(ctx.querystring),
          status: ctx.status,
          ...(failure?.scimType === undefined ? {} : { scimType: failure.scimType }),
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          ...causeOf(failure, level),
        },
        "request",
      );
    }
  };
}
