import { create, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ActivityDiffSchema,
  ActivityEntrySchema,
  IdentityProvider,
  ScimRequestSchema,
  type ActivityEntry,
  type ScimRequest,
} from "@scimgw/proto";

/** An activity entry as stored (see migration 0014). */
export interface ActivityRow {
  tenant_id: string;
  seq: number | string;
  started_at: string;
  request_id: string;
  key_id: string;
  key_label: string;
  identity_provider: string;
  user_agent: string;
  method: string;
  path: string;
  query: string;
  resource_type: string;
  resource_id: string;
  status: number;
  status_class: number;
  scim_type: string;
  detail: string;
  latency_ms: number;
  diff: string | null;
}

/** A row before the tenant's sequence gives it its number. */
export type UnnumberedActivityRow = Omit<ActivityRow, "seq">;

const identityProviders: ReadonlyArray<readonly [IdentityProvider, string]> = [
  [IdentityProvider.OKTA, "okta"],
  [IdentityProvider.ENTRA, "entra"],
  [IdentityProvider.OTHER, "other"],
];

/** The identity provider an entry's identity_provider column names. */
export function identityProviderOfStored(name: string): IdentityProvider {
  return identityProviders.find(([, stored]) => stored === name)?.[0] ?? IdentityProvider.UNSPECIFIED;
}

/** Text a column holds at most: the gateway cuts these already, other callers may not. */
function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/**
 * An instant as the activity log stores it: ISO-8601 UTC with microseconds, fixed width, so it
 * sorts as text; requests less than a millisecond apart keep their order.
 */
export function activityInstant(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.floor((epochMs - Math.floor(epochMs / 1000) * 1000) * 1000);
  return `${new Date(wholeMs).toISOString().slice(0, 19)}.${String(micros).padStart(6, "0")}Z`;
}

/** The instant of a stored started_at, in epoch milliseconds with its microseconds. */
export function epochMsOfInstant(instant: string): number {
  return Date.parse(`${instant.slice(0, 19)}Z`) + Number(instant.slice(20, 26)) / 1000;
}

/** The epoch milliseconds of a protobuf Timestamp, microseconds kept. */
export function epochMsOfTimestamp(timestamp: { seconds: bigint; nanos: number } | undefined): number | undefined {
  return timestamp === undefined ? undefined : Number(timestamp.seconds) * 1000 + timestamp.nanos / 1e6;
}

/** A row for an entry of `tenantId`: what the request was, and how it went. */
export function activityRowOf(
  tenantId: string,
  request: ScimRequest,
  outcome: Pick<ActivityEntry, "resourceType" | "resourceId" | "status" | "scimType" | "detail" | "latencyMs" | "diff">,
): UnnumberedActivityRow {
  const startedAt = epochMsOfTimestamp(request.startedAt) ?? Date.now();
  const status = Math.trunc(outcome.status);
  return {
    tenant_id: tenantId,
    started_at: activityInstant(startedAt),
    request_id: cut(request.requestId, 128),
    key_id: cut(request.keyId, 64),
    key_label: cut(request.keyLabel, 200),
    identity_provider: identityProviders.find(([value]) => value === request.identityProvider)?.[1] ?? "",
    user_agent: cut(request.userAgent, 256),
    method: cut(request.method, 16),
    path: cut(request.path, 512),
    query: cut(request.query, 1024),
    resource_type: outcome.resourceType === "User" || outcome.resourceType === "Group" ? outcome.resourceType : "",
    resource_id: cut(outcome.resourceId, 64),
    status,
    status_class: Math.floor(status / 100),
    scim_type: cut(outcome.scimType, 32),
    detail: cut(outcome.detail, 2000),
    latency_ms: Number.isFinite(outcome.latencyMs) && outcome.latencyMs > 0 ? Math.round(outcome.latencyMs * 1000) / 1000 : 0,
    diff: outcome.diff === undefined ? null : toJsonString(ActivityDiffSchema, outcome.diff),
  };
}

export function activityEntryFromRow(row: ActivityRow): ActivityEntry {
  return create(ActivityEntrySchema, {
    tenantId: row.tenant_id,
    seq: BigInt(row.seq),
    request: create(ScimRequestSchema, {
      requestId: row.request_id,
      keyId: row.key_id,
      keyLabel: row.key_label,
      identityProvider: identityProviderOfStored(row.identity_provider),
      userAgent: row.user_agent,
      method: row.method,
      path: row.path,
      query: row.query,
      startedAt: timestampOfInstant(row.started_at),
    }),
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    status: Number(row.status),
    scimType: row.scim_type,
    detail: row.detail,
    latencyMs: Number(row.latency_ms),
    ...(row.diff === null ? {} : { diff: fromJsonString(ActivityDiffSchema, row.diff) }),
  });
}

/** A stored activity instant as a protobuf Timestamp, microseconds kept. */
export function timestampOfInstant(instant: string) {
  const timestamp = timestampFromMs(Date.parse(`${instant.slice(0, 19)}Z`));
  timestamp.nanos = Number(instant.slice(20, 26)) * 1000;
  return timestamp;
}
