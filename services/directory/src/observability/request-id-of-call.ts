import type { Metadata } from "@grpc/grpc-js";
import { acceptedRequestId, requestIdHeader } from "@scimgw/observability";

/** The id of the request a call is for, as its caller sent it (the gateway does); undefined if none or unsafe. */
export function requestIdOfCall(metadata: Metadata): string | undefined {
  const [value] = metadata.get(requestIdHeader);
  return acceptedRequestId(typeof value === "string" ? value : undefined);
}
