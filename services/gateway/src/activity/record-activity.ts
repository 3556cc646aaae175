import { create } from "@bufbuild/protobuf";
import type { Middleware } from "koa";
import { ActivityEntrySchema, type ActivityEntry } from "@scimgw/proto";
import { refusedKeyOf, type AuthenticatedState } from "../auth/authenticate.js";
import { failureOf } from "../errors/request-failure.js";
import { operationOf } from "../http/operation.js";
import type { ActivityRecorder } from "./activity-recorder.js";
import { preciseNow, runUnderway, scimRequestOf, type RequestUnderway } from "./scim-request.js";

/** The writes whose success the directory records itself, in the write's transaction. */
const writeOperations = new Set([
  "users.create",
  "users.replace",
  "users.patch",
  "users.delete",
  "groups.create",
  "groups.replace",
  "groups.patch",
  "groups.delete",
]);

const resourceTypes: Record<string, string> = { users: "User", groups: "Group" };

/**
 * The entry the gateway records for a finished request: every request that reached a tenant (or
 * was refused with a key the directory knows) except a successful write, which the directory has
 * recorded already. Undefined when the request names no tenant.
 */
export function activityEntryOf(request: RequestUnderway, finishedAtMs: number): ActivityEntry | undefined {
  const { ctx } = request;
  const tenant = ctx.state.tenant;
  const key = tenant === undefined ? refusedKeyOf(ctx) : { tenantId: tenant.tenantId, keyId: tenant.keyId, keyLabel: tenant.keyLabel };
  if (key === undefined) return undefined;
  const operation = operationOf(ctx);
  if (writeOperations.has(operation) && ctx.status >= 200 && ctx.status < 300) return undefined;
  const failure = failureOf(ctx);
  const params = (ctx as { params?: Record<string, string | undefined> }).params;
  return create(ActivityEntrySchema, {
    tenantId: key.tenantId,
    request: scimRequestOf(request, key),
    resourceType: resourceTypes[operation.split(".")[0] ?? ""] ?? "",
    resourceId: params?.id ?? "",
    status: ctx.status,
    scimType: failure?.scimType ?? "",
    detail: failure?.detail ?? "",
    latencyMs: finishedAtMs - request.startedAtMs,
  });
}

/**
 * Puts each request in the activity log. Outside the error sink, so it sees the status and detail
 * the client got; its directory calls carry the request (attachScimRequests) so that writes are
 * recorded by the directory, and the rest goes to the recorder's batches. Without a recorder only
 * the writes are recorded.
 */
export function recordActivity(recorder: ActivityRecorder | undefined): Middleware<Partial<AuthenticatedState>> {
  return async (ctx, next) => {
    const request: RequestUnderway = { ctx, startedAtMs: preciseNow() };
    try {
      await runUnderway(request, next);
    } finally {
      const entry = recorder === undefined ? undefined : activityEntryOf(request, preciseNow());
      if (entry !== undefined) recorder?.record(entry);
    }
  };
}
