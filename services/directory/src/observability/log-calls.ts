import type { Logger } from "pino";
import { Code, type ObserveCall } from "@scimgw/grpc";
import { runWithRequestId } from "@scimgw/observability";
import { refusedCallerReasons } from "../service-credentials/call-authorizer.js";
import { tenantOfRequest } from "../tenants/tenant-of-request.js";
import { requestIdOfCall } from "./request-id-of-call.js";

/**
 * Runs each call as part of its caller's request, so every line the call's work logs carries the
 * request id, and logs a failed call once: unexpected failures at error with their cause,
 * refused callers at warn (an operator's business: a misconfigured service, a revoked
 * credential), the rest (not found, conflicts: the caller's business) at debug.
 */
export function logCalls(logger: Logger): ObserveCall {
  return (call, request) => {
    const requestId = requestIdOfCall(call.metadata);
    const tenantId = tenantOfRequest(request);
    return {
      run: (work) => (requestId === undefined ? work() : runWithRequestId(requestId, work)),
      end(code, error) {
        if (error === undefined) return;
        // The end is told outside the call's work, so the id is named here rather than by the logger.
        const fields = {
          ...(requestId === undefined ? {} : { requestId }),
          ...(tenantId === undefined ? {} : { tenant: tenantId }),
          method: call.method,
          code: Code[code],
        };
        if (code === Code.INTERNAL || code === Code.UNKNOWN) logger.error({ ...fields, err: error.cause ?? error }, "call failed");
        else if (refusedCallerReasons.has(error.reason)) logger.warn({ ...fields, reason: error.reason }, error.message);
        else logger.debug({ ...fields, reason: error.reason }, error.message);
      },
    };
  };
}
