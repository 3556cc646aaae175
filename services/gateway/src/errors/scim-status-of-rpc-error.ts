import { Code, ErrorReason, type RpcError } from "@scimgw/directory-client";
import type { ScimType } from "@scimgw/scim";
import { scimTypeOfReason } from "@scimgw/scim-proto";

export interface ScimStatus {
  status: number;
  scimType?: ScimType;
  /** Whether the directory's message is meant for the SCIM client (else a generic one is sent). */
  exposeDetail: boolean;
  /** Seconds a client should wait before retrying (503). */
  retryAfter?: number;
}

/** Whole seconds from the directory's `retry_after_seconds`, else 1; at most an hour. */
function retryAfterOf(error: RpcError): number {
  const seconds = Number(error.metadata["retry_after_seconds"]);
  return Number.isFinite(seconds) && seconds >= 1 ? Math.min(Math.ceil(seconds), 3600) : 1;
}

/**
 * The one table from a directory failure to a SCIM response. gRPC status first, the ErrorInfo
 * reason refining it; every row says why.
 */
export function scimStatusOfRpcError(error: RpcError): ScimStatus {
  switch (error.code) {
    // A SCIM rule broken in the directory (PATCH result, invalid filter): the reason is the scimType.
    case Code.INVALID_ARGUMENT: {
      return { status: 400, scimType: scimTypeOfReason(error.reason) ?? "invalidValue", exposeDetail: true };
    }
    // OUT_OF_RANGE is a value outside what the directory accepts (e.g. a page token): the request's fault.
    case Code.OUT_OF_RANGE:
      return { status: 400, scimType: "invalidValue", exposeDetail: true };
    // Unknown id in this tenant; RFC 7644 §3.12 gives 404 no scimType.
    case Code.NOT_FOUND:
      return { status: 404, exposeDetail: true };
    // The unique index refused the write: 409 uniqueness (RFC 7644 §3.3, §3.12).
    case Code.ALREADY_EXISTS:
      return { status: 409, scimType: "uniqueness", exposeDetail: true };
    case Code.FAILED_PRECONDITION:
      // If-Match named a version that is no longer current: 412 (RFC 7644 §3.14).
      if (error.reason === ErrorReason.VERSION_MISMATCH) return { status: 412, exposeDetail: true };
      // The tenant's schemas changed while the gateway built the write, even after it read them
      // again and retried once (writeByTenantSchemas): nothing was written and the same request
      // will succeed: transient, like UNAVAILABLE below, so 503 with Retry-After (RFC 9110 §15.6.4).
      // Not 409: identity providers read a 409 on POST as "the user already exists" (OKTA-REF), not
      // 400: the request is valid and a client does not resend a 4xx unchanged.
      if (error.reason === ErrorReason.SCHEMA_CHANGED) return { status: 503, exposeDetail: true, retryAfter: 1 };
      return { status: 400, scimType: "invalidValue", exposeDetail: true };
    // A write lost a race it could not retry (e.g. a serialization failure): safe to retry.
    case Code.ABORTED:
      return { status: 409, exposeDetail: true };
    // The presented API key is unknown or revoked: the SCIM client is not authenticated (RFC 7644 §3.12).
    // Any other refusal is of the gateway's own directory credentials, which is not the client's fault.
    case Code.UNAUTHENTICATED:
      return error.reason === ErrorReason.UNKNOWN_API_KEY ? { status: 401, exposeDetail: true } : { status: 500, exposeDetail: false };
    case Code.PERMISSION_DENIED:
      return { status: 500, exposeDetail: false };
    // A tenant over its share or a caller over its rate: the client should slow down and retry
    // (RFC 6585 §4), when the directory says (ErrorInfo metadata retry_after_seconds).
    // Without one of those reasons it is grpc-js refusing a message over the transport limit:
    // our limits let something through that cannot be sent, a server bug, not the client's 429.
    case Code.RESOURCE_EXHAUSTED:
      return error.reason === ErrorReason.TENANT_BUSY || error.reason === ErrorReason.RATE_LIMITED
        ? { status: 429, exposeDetail: true, retryAfter: retryAfterOf(error) }
        : { status: 500, exposeDetail: false };
    // The directory is down, restarting or unreachable: transient, tell the client when to retry.
    case Code.UNAVAILABLE:
      return { status: 503, exposeDetail: false, retryAfter: 5 };
    // The directory did not answer within the gateway's deadline.
    case Code.DEADLINE_EXCEEDED:
      return { status: 504, exposeDetail: false };
    // The caller cancelled; only visible if the client went away, so the status is for logs.
    case Code.CANCELLED:
      return { status: 499, exposeDetail: false };
    // An operation the directory does not offer.
    case Code.UNIMPLEMENTED:
      return { status: 501, exposeDetail: true };
    // Bugs and data problems: never shown to the client, always logged.
    case Code.INTERNAL:
    case Code.UNKNOWN:
    case Code.DATA_LOSS:
    default:
      return { status: 500, exposeDetail: false };
  }
}
