import { randomUUID } from "node:crypto";

/** The header that carries a request's id, in both directions, and the gRPC metadata key that carries it on. */
export const requestIdHeader = "x-request-id";

/**
 * What a caller's id may look like to be kept: short and of characters that need no escaping in
 * a log, a header or a query (load balancers send UUIDs or hex; Heroku and AWS send `Root=1-…`).
 * Anything else is replaced rather than cleaned, so a log line never carries what a client
 * smuggled into it.
 */
const acceptable = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** The caller's id if it is acceptable, else undefined. */
export function acceptedRequestId(value: string | undefined): string | undefined {
  return value !== undefined && acceptable.test(value) ? value : undefined;
}

/** The caller's id if it is acceptable, else a new one. */
export function requestIdFor(value: string | undefined): string {
  return acceptedRequestId(value) ?? randomUUID();
}
