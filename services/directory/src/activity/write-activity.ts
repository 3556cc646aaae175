import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { create, fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { Metadata } from "@grpc/grpc-js";
import { ActivityDiffSchema, AttributeChangeSchema, ScimRequestSchema, scimRequestMetadataKey, type ScimRequest } from "@scimgw/proto";
import type { CallContext } from "@scimgw/grpc";
import { invalidArgument } from "../errors/directory-errors.js";
import { activityRowOf, epochMsOfTimestamp, type UnnumberedActivityRow } from "./activity-row.js";

/** What a store's write needs to know about the call that asks for it. */
export interface WriteCall {
  /** Aborted when the caller gives up: the write stops before COMMIT (see writeTransaction). */
  signal?: AbortSignal;
  /** The SCIM request the write serves, when a gateway sent it: the write then records its activity entry. */
  scimRequest?: ScimRequest;
  /**
   * The tenant's resource types the write's values were validated by (writeBySchema): the store
   * derives its search document and unique values by them, and the write commits only while they
   * are still the tenant's. Unset: the store reads the tenant's current ones.
   */
  schema?: TenantResourceTypes;
}

/** What the directory keeps of a write in its activity entry. */
export interface ActivityOptions {
  /**
   * Whether a write's diff carries old and new values (ACTIVITY_RECORD_VALUES), or only the names
   * of the attributes changed. Passwords' values are never recorded.
   */
  recordValues: boolean;
}

export const defaultActivityOptions: ActivityOptions = { recordValues: false };

/** The ScimRequest a call carries in its metadata; a malformed one is the caller's bug, and refused. */
export function scimRequestOf(metadata: Metadata | undefined): ScimRequest | undefined {
  const [value] = metadata?.get(scimRequestMetadataKey) ?? [];
  if (value === undefined) return undefined;
  try {
    return fromBinary(ScimRequestSchema, typeof value === "string" ? Buffer.from(value, "base64") : value);
  } catch {
    throw invalidArgument(`metadata ${scimRequestMetadataKey} is not a serialized scimgw.directory.v1.ScimRequest`);
  }
}

/** The WriteCall of a gRPC call: its signal, and the SCIM request it serves if any. */
export function writeCallOf(context: Pick<CallContext, "signal" | "metadata"> | undefined): WriteCall {
  const scimRequest = scimRequestOf(context?.metadata);
  return { ...(context === undefined ? {} : { signal: context.signal }), ...(scimRequest === undefined ? {} : { scimRequest }) };
}

/** What a write did, as a store knows it. */
export interface WriteOutcome {
  resourceType: "User" | "Group";
  resourceId: string;
  kind: "created" | "updated" | "deleted";
  /** The top-level attributes whose values changed ("password" included, by name only). */
  attributes: readonly string[];
  /** The SCIM representations before and after, for values (only read when values are recorded). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** For a group: the members added and removed. */
  members?: { added: readonly string[]; removed: readonly string[] };
}

/** Longest value JSON a diff keeps; a longer value is summarised, so one entry stays small. */
const maxValueLength = 256;
/** Member ids a diff lists per direction, when values are recorded. */
const maxMemberIds = 100;

/** Attributes whose values are secrets: named in a diff, their values never kept. */
const secretAttributes = new Set(["password"]);

function recordedValue(value: unknown) {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  const kept: JsonValue =
    json.length <= maxValueLength ? (value as JsonValue) : `${json.slice(0, maxValueLength)}… (${json.length} characters)`;
  return fromJson(ValueSchema, kept);
}

const successStatus = { created: 201, updated: 200, deleted: 204 } as const;

/**
 * The activity entry of a successful write that serves a SCIM request, or undefined when the write
 * serves none (an internal service's call). Its status is the one the gateway said the client gets
 * on success; its latency runs from the gateway's receipt of the request to now, just before
 * COMMIT.
 */
export function writeActivityRow(
  tenantId: string,
  call: WriteCall,
  outcome: WriteOutcome,
  options: ActivityOptions,
): UnnumberedActivityRow | undefined {
  const request = call.scimRequest;
  if (request === undefined) return undefined;
  const values = options.recordValues;
  const diff =
    outcome.kind === "deleted"
      ? undefined
      : create(ActivityDiffSchema, {
          attributes: outcome.attributes.map((attribute) =>
            create(AttributeChangeSchema, {
              attribute,
              ...(values && !secretAttributes.has(attribute)
                ? { oldValue: recordedValue(outcome.before?.[attribute]), newValue: recordedValue(outcome.after?.[attribute]) }
                : {}),
            }),
          ),
          membersAdded: outcome.members?.added.length ?? 0,
          membersRemoved: outcome.members?.removed.length ?? 0,
          ...(values && outcome.members !== undefined
            ? {
                addedMemberIds: outcome.members.added.slice(0, maxMemberIds),
                removedMemberIds: outcome.members.removed.slice(0, maxMemberIds),
              }
            : {}),
        });
  const startedAt = epochMsOfTimestamp(request.startedAt);
  return activityRowOf(tenantId, request, {
    resourceType: outcome.resourceType,
    resourceId: outcome.resourceId,
    status: request.successStatus === 0 ? successStatus[outcome.kind] : request.successStatus,
    scimType: "",
    detail: "",
    latencyMs: startedAt === undefined ? 0 : performance.timeOrigin + performance.now() - startedAt,
    diff,
  });
}
