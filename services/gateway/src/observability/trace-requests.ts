import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Middleware } from "koa";
import { currentRequestId } from "@scimgw/observability";
import type { AuthenticatedState } from "../auth/authenticate.js";
import { identityProviderOf } from "../http/identity-provider.js";
import { operationOf } from "../http/operation.js";
import { failureOf } from "../errors/request-failure.js";

const tracer = trace.getTracer("@scimgw/gateway");

/**
 * A server span per request, the root of its trace, with the rest of the request run inside it,
 * so its directory calls, and through them the directory's work and SQL, are its descendants.
 * Named by the SCIM operation once routing knows it; carries the tenant, the status and the
 * request id, never a header, the query or a body. A `traceparent` header is continued only from
 * a trusted proxy (TRUST_PROXY, as for X-Forwarded-*): from anyone else it would let a client pick
 * trace ids and force sampling.
 */
export function traceRequests(options: { continueIncomingTraces: boolean }): Middleware<AuthenticatedState> {
  return (ctx, next) => traceRequest(ctx, next, options.continueIncomingTraces);
}

async function traceRequest(ctx: Parameters<Middleware<AuthenticatedState>>[0], next: () => Promise<unknown>, continueIncoming: boolean) {
  const parent = continueIncoming ? propagation.extract(ROOT_CONTEXT, ctx.headers) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    ctx.method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": ctx.method,
        "url.path": ctx.path,
        "scimgw.idp": identityProviderOf(ctx.get("user-agent") || undefined),
        ...(currentRequestId() === undefined ? {} : { "scimgw.request_id": currentRequestId() }),
      },
    },
    parent,
  );
  try {
    await context.with(trace.setSpan(parent, span), next);
  } finally {
    const operation = operationOf(ctx);
    span.updateName(`${ctx.method} ${operation}`);
    span.setAttributes({
      "scimgw.operation": operation,
      "http.response.status_code": ctx.status,
      ...(ctx.state.tenant === undefined ? {} : { "scimgw.tenant_id": ctx.state.tenant.tenantId }),
      ...(failureOf(ctx)?.scimType === undefined ? {} : { "scimgw.scim_type": failureOf(ctx)?.scimType }),
    });
    // OpenTelemetry's HTTP server convention: a 4xx is the client's doing, not a failed span.
    if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: String(ctx.status) });
    span.end();
  }
}
