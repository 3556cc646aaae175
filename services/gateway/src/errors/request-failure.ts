import type { Context } from "koa";
import type { ScimType } from "@scimgw/scim";

/** How a request failed, as renderError answered it, for its access log line and span. */
export interface RequestFailure {
  status: number;
  scimType?: ScimType;
  /** The detail the client was told. */
  detail: string;
  /** What was thrown. */
  error: unknown;
  /** Whether the cause was unexpected (a generic 5xx went out): the log line then carries it. */
  unexpected: boolean;
}

const failures = new WeakMap<Context, RequestFailure>();

/** Called by the error sink: the failure is logged once, on the request's access line. */
export function recordFailure(ctx: Context, failure: RequestFailure): void {
  failures.set(ctx, failure);
}

export function failureOf(ctx: Context): RequestFailure | undefined {
  return failures.get(ctx);
}
