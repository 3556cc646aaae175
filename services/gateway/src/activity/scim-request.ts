import { AsyncLocalStorage } from "node:async_hooks";
import { create, toBinary } from "@bufbuild/protobuf";
import type { DescService } from "@bufbuild/protobuf";
import type { Context } from "koa";
import { GroupService, IdentityProvider, ScimRequestSchema, UserService, scimRequestMetadataKey, type ScimRequest } from "@scimgw/proto";
import type { DirectoryClient } from "@scimgw/directory-client";
import type { AuthenticatedState, KnownKey } from "../auth/authenticate.js";
import { identityProviderOf } from "../http/identity-provider.js";
import { operationOf } from "../http/operation.js";
import { shownPath } from "../http/shown-path.js";
import { requestIdOf } from "../observability/assign-request-id.js";
import { redactQuery } from "../observability/redact-query.js";
import { groupPatchAnswersWithBody } from "../routes/groups.js";

/** A request as the activity log knows it while it runs: when it arrived, and its encoded ScimRequest once built. */
export interface RequestUnderway {
  readonly ctx: Context & { state: Partial<AuthenticatedState> };
  /** Epoch milliseconds with microseconds, so requests a millisecond apart keep their order. */
  readonly startedAtMs: number;
  metadata?: Buffer;
}

const underway = new AsyncLocalStorage<RequestUnderway>();

/** Runs a request's work with the request known to the directory calls it makes. */
export function runUnderway<T>(request: RequestUnderway, work: () => T): T {
  return underway.run(request, work);
}

/** Now, in epoch milliseconds with microseconds. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

const identityProviders = { okta: IdentityProvider.OKTA, entra: IdentityProvider.ENTRA, other: IdentityProvider.OTHER } as const;

/** Longest User-Agent an entry keeps: room for any honest one, no room for a hostile one. */
const maxUserAgentLength = 256;

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** The status a write answers when it succeeds: what the directory records in the write's entry. */
function successStatusOf(ctx: Context): number {
  const operation = operationOf(ctx);
  if (operation.endsWith(".create")) return 201;
  if (operation.endsWith(".delete")) return 204;
  if (operation === "groups.patch") return groupPatchAnswersWithBody(ctx) ? 200 : 204;
  return 200;
}

/** The SCIM request as the activity log records it; never the key itself, nor a filter's values. */
export function scimRequestOf(request: RequestUnderway, key: Omit<KnownKey, "tenantId">): ScimRequest {
  const { ctx, startedAtMs } = request;
  const seconds = Math.floor(startedAtMs / 1000);
  return create(ScimRequestSchema, {
    requestId: requestIdOf(ctx) ?? "",
    keyId: key.keyId,
    keyLabel: key.keyLabel,
    identityProvider: identityProviders[identityProviderOf(ctx.get("user-agent") || undefined)],
    userAgent: cut(ctx.get("user-agent"), maxUserAgentLength),
    method: ctx.method,
    path: shownPath(ctx.path),
    query: redactQuery(ctx.querystring),
    startedAt: { seconds: BigInt(seconds), nanos: Math.floor((startedAtMs - seconds * 1000) * 1e6) },
    successStatus: successStatusOf(ctx),
  });
}

/** The metadata that tells the directory which SCIM request a call serves; none outside an authenticated request. */
function scimRequestMetadata(): Record<string, Buffer> | undefined {
  const request = underway.getStore();
  const tenant = request?.ctx.state.tenant;
  if (request === undefined || tenant === undefined) return undefined;
  request.metadata ??= Buffer.from(toBinary(ScimRequestSchema, scimRequestOf(request, tenant)));
  return { [scimRequestMetadataKey]: request.metadata };
}

type Method = (request: unknown, options?: { metadata?: Record<string, string | Buffer> }) => unknown;

/**
 * The calls whose handlers read the SCIM request: the writes, which record their activity entry
 * from it (the directory's writeCallOf). A read's entry is the gateway's own (recordActivity), so
 * a read carries none: encoding it cost every GET and search a ScimRequest, its binary form and a
 * base64 header on the wire, for the directory to ignore.
 */
const recordingMethods = new Set([
  "createUser",
  "replaceUser",
  "patchUser",
  "deleteUser",
  "createGroup",
  "replaceGroup",
  "patchGroup",
  "deleteGroup",
]);

/** A service's client whose writes carry the SCIM request they serve. */
function carrying<T extends object>(service: DescService, client: T | undefined): T | undefined {
  if (client === undefined) return undefined;
  const methods = new Set(service.methods.map((method) => method.localName).filter((name) => recordingMethods.has(name)));
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== "string" || !methods.has(property) || typeof value !== "function") return value;
      const call = value.bind(target) as Method;
      return ((request, options = {}) => {
        const metadata = scimRequestMetadata();
        return call(request, metadata === undefined ? options : { ...options, metadata: { ...options.metadata, ...metadata } });
      }) satisfies Method;
    },
  });
}

/**
 * The directory client whose user and group writes carry the SCIM request they serve (metadata
 * `scimgw-scim-request-bin`): the directory records a successful write's activity entry in the
 * write's own transaction from it, so an acknowledged write always has its entry.
 */
export function attachScimRequests(directory: DirectoryClient): DirectoryClient {
  // Tests hand the gateway partial fakes: a service a fake leaves out stays out.
  return {
    ...directory,
    users: carrying(UserService, directory.users) as DirectoryClient["users"],
    groups: carrying(GroupService, directory.groups) as DirectoryClient["groups"],
  };
}
