import type { Middleware } from "koa";
import { RpcError } from "@scimgw/directory-client";
import { ScimError, type ScimErrorBody, type ScimType } from "@scimgw/scim";
import { recordFailure } from "./request-failure.js";
import { scimStatusOfRpcError } from "./scim-status-of-rpc-error.js";

export const scimContentType = "application/scim+json; charset=utf-8";

interface Rendered {
  status: number;
  scimType?: ScimType;
  detail: string;
  retryAfter?: number;
  /** Whether the log should carry the cause (unexpected failures). */
  unexpected: boolean;
}

/** Koa's HttpErrors (body parser, router's 405/501) carry a status and an `expose` flag. */
function isHttpError(error: unknown): error is { status: number; message: string; expose?: boolean } {
  return typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number";
}

const internalErrorDetail = "The server failed to process the request; it has been logged.";

const genericDetail: Record<number, string> = {
  500: internalErrorDetail,
  503: "The directory is unavailable; retry later.",
  504: "The directory did not answer in time; retry later.",
};

function render(error: unknown): Rendered {
  if (error instanceof ScimError) {
    return { status: error.status, ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.detail, unexpected: false };
  }
  if (error instanceof RpcError) {
    const mapped = scimStatusOfRpcError(error);
    return {
      status: mapped.status,
      ...(mapped.scimType ? { scimType: mapped.scimType } : {}),
      detail: mapped.exposeDetail ? error.message : (genericDetail[mapped.status] ?? "The request could not be completed."),
      ...(mapped.retryAfter ? { retryAfter: mapped.retryAfter } : {}),
      unexpected: !mapped.exposeDetail,
    };
  }
  if (isHttpError(error) && error.status >= 400 && error.status < 500) {
    // The body parser's "invalid JSON" and friends: the client sent something unparsable.
    const scimType: ScimType | undefined = error.status === 400 ? "invalidSyntax" : undefined;
    return {
      status: error.status,
      ...(scimType ? { scimType } : {}),
      detail: error.expose === false ? "Bad request." : error.message,
      unexpected: false,
    };
  }
  return { status: 500, detail: internalErrorDetail, unexpected: true };
}

const fallbackBody = JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "500", detail: "Internal error." });

/**
 * The one error sink, placed first: whatever a later middleware throws leaves as a SCIM error
 * body (RFC 7644 §3.12). Known, safe failures show their detail; anything else is a generic 500
 * whose cause goes to the log only: recorded here, and logged once, on the request's access line.
 */
export function renderError(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw ScimError.status(404, `No SCIM endpoint at ${ctx.method} ${ctx.path}.`);
      }
    } catch (error) {
      const rendered = render(error);
      try {
        const body: ScimErrorBody = {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
          status: String(rendered.status),
          ...(rendered.scimType ? { scimType: rendered.scimType } : {}),
          detail: rendered.detail,
        };
        ctx.status = rendered.status;
        ctx.body = JSON.stringify(body);
        ctx.type = scimContentType;
        if (rendered.retryAfter) ctx.set("Retry-After", String(rendered.retryAfter));
        if (rendered.status === 401) ctx.set("WWW-Authenticate", 'Bearer realm="SCIM"');
      } catch {
        ctx.status = 500;
        ctx.body = fallbackBody;
        ctx.type = scimContentType;
      }
      recordFailure(ctx, {
        status: rendered.status,
        ...(rendered.scimType ? { scimType: rendered.scimType } : {}),
        detail: rendered.detail,
        error,
        unexpected: rendered.unexpected,
      });
    }
  };
}
