import { context, propagation } from "@opentelemetry/api";
import { currentRequestId } from "./request-context.js";
import { requestIdHeader } from "./request-id.js";

/**
 * The metadata a call to another service carries for the work that makes it: the request's id,
 * and while tracing, the W3C `traceparent` of the current span, so the callee's spans join the
 * caller's trace. For `callMetadata` of a gRPC transport.
 */
export function outgoingCallMetadata(): Record<string, string> {
  const metadata: Record<string, string> = {};
  const requestId = currentRequestId();
  if (requestId !== undefined) metadata[requestIdHeader] = requestId;
  propagation.inject(context.active(), metadata);
  return metadata;
}
