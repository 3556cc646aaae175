import Router from "@koa/router";
import type { Context } from "koa";
import type { Logger } from "pino";
import { Code, RpcError } from "@scimgw/directory-client";
import { SortOrder, type Group, type GroupMember, type ListGroupMembersResponse } from "@scimgw/proto";
import {
  expectedVersionOf,
  isJsonObject,
  isNotModified,
  normalizeResource,
  parseListQuery,
  parsePatchRequest,
  parseSearchRequest,
  projectResource,
  splitMemberOperations,
  urn,
  versionToEtag,
  type GroupPatchStep,
  type ListQuery,
  type PagingLimits,
  type PatchOperation,
  type ProjectionOptions,
  type ResourceTypeDefinition,
  type ScimLimits,
  type ScimResource,
} from "@scimgw/scim";
import {
  attributePathToProto,
  filterToProto,
  groupFromProto,
  groupToProto,
  memberFromProto,
  patchOperationsToProto,
} from "@scimgw/scim-proto";
import type { AuthenticatedState } from "../auth/authenticate.js";
import type { DirectoryClient } from "@scimgw/directory-client";
import { resourceIdReader } from "../http/read-resource-id.js";
import { resourceUrl } from "../http/resource-url.js";
import { StreamedArray } from "../http/stream-json.js";
import { listResponseOf, projectionOf, sendScimJson, type ResourcePage } from "./list-page.js";
import type { TenantSchemaCache, TenantSchemas } from "../schemas/tenant-schemas.js";
import { writeByTenantSchemas } from "../schemas/write-by-tenant-schemas.js";

/** Members per ListGroupMembers call when a response carries members (the directory allows 1 to 5000). */
export const defaultMemberPageSize = 2000;

export interface GroupRoutesOptions {
  directory: DirectoryClient;
  /** The absolute URL of the SCIM root for a request, e.g. https://acme.example/services/scim/v2. */
  scimBaseUrl: (ctx: Context) => string;
  paging: PagingLimits;
  /** Where a response cut short by a failed member page is reported. */
  logger: Logger;
  memberPageSize?: number;
  /** What one request may ask (the SCIM core's defaults, or tighter settings). */
  limits: ScimLimits;
  /** Which `:id`s can name a resource (see GatewayOptions). */
  isResourceId: (id: string) => boolean;
  onGroupPatch?: GroupPatchHook;
  /** Each tenant's resource types, with its extensions. */
  schemas: TenantSchemaCache;
}

type ScimContext = Context & { state: AuthenticatedState };

/** Told of every group PATCH that passed the SCIM core's limits, before the directory runs it (for metrics). */
export type GroupPatchHook = (ctx: Context, operations: readonly PatchOperation[], steps: readonly GroupPatchStep[]) => void;

/**
 * Which sub-attributes of `members` a response returns under this projection, or undefined when it
 * returns no members at all (RFC 7644 §3.4.2.5; `excludedAttributes=members` is how Entra reads
 * every group). The SCIM core's projection decides, run once on a probe member, so the rule stays
 * in one place and each streamed member is only picked, not projected.
 */
function returnedMemberKeys(projection: ProjectionOptions, groupType: ResourceTypeDefinition): readonly string[] | undefined {
  const probe = { schemas: [urn.group], members: [{ value: "", $ref: "", type: "", display: "" }] };
  const members = projectResource(probe, projection, groupType).members;
  const first = Array.isArray(members) ? members[0] : undefined;
  return isJsonObject(first) ? Object.keys(first) : undefined;
}

function pick(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (object[key] !== undefined) picked[key] = object[key];
  return picked;
}

/** The group's attributes with `members` placed where RFC 7643 §8.4 shows it, before `meta`. */
function withMembers(resource: ScimResource, members: unknown): Record<string, unknown> {
  const { meta, ...rest } = resource;
  return { ...rest, members, ...(meta === undefined ? {} : { meta }) };
}

/**
 * Whether a successful group PATCH answers 200 with the group rather than 204. RFC 7644 §3.5.2
 * allows 200 with the resource "subject to the attributes query parameter" or 204; Entra's docs and
 * Microsoft's test collection expect 204, and a group's body can be huge. A client that names
 * attributes (or excludedAttributes) asked for a body: 200.
 */
export function groupPatchAnswersWithBody(ctx: Context): boolean {
  return ctx.query.attributes !== undefined || ctx.query.excludedAttributes !== undefined;
}

/**
 * The SCIM /Groups endpoint (RFC 7644 §3) over GroupService. Groups come from the directory without
 * members; members are read with ListGroupMembers, page by page, only when the response returns
 * them, and a group of more than one page is written to the client as its pages arrive.
 */
export function groupRoutes({
  directory,
  scimBaseUrl,
  paging,
  logger,
  limits,
  isResourceId,
  onGroupPatch,
  schemas,
  memberPageSize = defaultMemberPageSize,
}: GroupRoutesOptions) {
  const router = new Router<AuthenticatedState>();
  const resourceId = resourceIdReader("Group", isResourceId);
  const schemasOf = (ctx: ScimContext) => schemas.get(ctx.state.tenant.tenantId, ctx.state.tenant.schemaRevision);

  /** A group's members after the first page, read as the client takes the ones before. */
  async function* laterPages(tenantId: string, groupId: string, first: ListGroupMembersResponse, render: (member: GroupMember) => unknown) {
    yield first.members.map(render);
    let after = first.nextAfterMemberId;
    let read = first.members.length;
    try {
      while (after !== "") {
        const page = await directory.groups.listGroupMembers({ tenantId, groupId, afterMemberId: after, limit: memberPageSize });
        read += page.members.length;
        yield page.members.map(render);
        after = page.nextAfterMemberId;
      }
    } catch (error) {
      // The status and the first members are already sent: the response can only be cut short.
      logger.error(
        { err: error, tenant: tenantId, group: groupId, membersRead: read },
        "reading a group's members failed mid-response; the response was cut short",
      );
      throw error;
    }
  }

  /**
   * A group as a response returns it: projected, with its members if the projection returns them.
   * `knownMemberCount` 0 spares the directory call for a group known to be empty. A group deleted
   * between listing and reading its members (`deletedMeansEmpty`, for lists) is shown without them.
   */
  async function groupBody(
    ctx: ScimContext,
    group: Group,
    projection: ProjectionOptions,
    groupType: ResourceTypeDefinition,
    memberKeys: readonly string[] | undefined,
    { knownMemberCount, deletedMeansEmpty = false }: { knownMemberCount?: number; deletedMeansEmpty?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const baseUrl = scimBaseUrl(ctx);
    const resource = projectResource(groupFromProto(group, { location: resourceUrl(baseUrl, "Group", group.id) }), projection, groupType);
    if (memberKeys === undefined || knownMemberCount === 0) return resource;
    const tenantId = ctx.state.tenant.tenantId;
    let first: ListGroupMembersResponse;
    try {
      first = await directory.groups.listGroupMembers({ tenantId, groupId: group.id, afterMemberId: "", limit: memberPageSize });
    } catch (error) {
      if (deletedMeansEmpty && error instanceof RpcError && error.code === Code.NOT_FOUND) return resource;
      throw error;
    }
    if (first.members.length === 0) return resource;
    const render = (member: GroupMember) =>
      pick(
        memberFromProto(member, (m) => resourceUrl(baseUrl, m.type, m.value)),
        memberKeys,
      );
    if (first.nextAfterMemberId === "") return withMembers(resource, first.members.map(render));
    return withMembers(resource, new StreamedArray(laterPages(tenantId, group.id, first, render)));
  }

  /** The projection a single-resource request asks for (RFC 7644 §3.9). */
  const projectionOfRequest = (ctx: Context, groupType: ResourceTypeDefinition) =>
    projectionOf(parseListQuery(ctx.query, groupType, paging, limits));

  async function respond(ctx: ScimContext, status: number, group: Group, types: TenantSchemas, knownMemberCount?: number): Promise<void> {
    const projection = projectionOfRequest(ctx, types.group);
    const body = await groupBody(
      ctx,
      group,
      projection,
      types.group,
      returnedMemberKeys(projection, types.group),
      knownMemberCount === undefined ? {} : { knownMemberCount },
    );
    if (group.meta) ctx.set("ETag", versionToEtag(group.meta.version));
    sendScimJson(ctx, status, body);
  }

  /** One page of groups matching a list query (parsed by the tenant's types); exported for the root /.search. */
  async function page(ctx: ScimContext, query: ListQuery, types: TenantSchemas): Promise<ResourcePage> {
    const result = await directory.groups.listGroups({
      tenantId: ctx.state.tenant.tenantId,
      filter: query.filter === undefined ? undefined : filterToProto(query.filter),
      startIndex: BigInt(query.startIndex),
      count: query.count,
      sortBy: query.sortBy === undefined ? undefined : attributePathToProto(query.sortBy),
      sortOrder: query.sortOrder === "descending" ? SortOrder.DESCENDING : SortOrder.ASCENDING,
    });
    const projection = projectionOf(query);
    const memberKeys = returnedMemberKeys(projection, types.group);
    const totalResults = Number(result.totalResults);
    const itemsPerPage = result.groups.length;
    if (memberKeys === undefined) {
      // excludedAttributes=members (or attributes without it): no membership read at all.
      return {
        totalResults,
        itemsPerPage,
        resources: await Promise.all(result.groups.map((group) => groupBody(ctx, group, projection, types.group, undefined))),
      };
    }
    // Each group's members are read when the document reaches it, so a page of big groups holds
    // one page of members at a time.
    async function* bodies() {
      for (const group of result.groups)
        yield [await groupBody(ctx, group, projection, types.group, memberKeys, { deletedMeansEmpty: true })];
    }
    return { totalResults, itemsPerPage, resources: new StreamedArray(bodies()) };
  }

  async function list(ctx: ScimContext, parse: (types: TenantSchemas) => ListQuery): Promise<void> {
    const types = await schemasOf(ctx);
    const query = parse(types);
    sendScimJson(ctx, 200, listResponseOf(await page(ctx, query, types), query.startIndex));
  }

  /**
   * A write built by the tenant's types (see writeByTenantSchemas); `fromResource` when it is built
   * from a Group body (POST, PUT) rather than a PatchOp.
   */
  const writeGroup = <T>(ctx: ScimContext, fromResource: boolean, write: (types: TenantSchemas) => Promise<T>) =>
    writeByTenantSchemas(
      schemas,
      ctx.state.tenant,
      async (types) => ({ result: await write(types), types }),
      fromResource ? { body: { value: ctx.request.body, resourceType: (types) => types.group } } : {},
    );

  router.post("groups.search", "/Groups/.search", (ctx) =>
    list(ctx, (types) => parseSearchRequest(ctx.request.body, types.group, paging, limits)),
  );

  router.post("groups.create", "/Groups", async (ctx) => {
    const tenantId = ctx.state.tenant.tenantId;
    const { result, types } = await writeGroup(ctx, true, async (types) => {
      const group = groupToProto(normalizeResource(ctx.request.body, types.group, "create", limits));
      return { group, created: (await directory.groups.createGroup({ tenantId, group, schemaRevision: types.revision })).group };
    });
    if (!result.created) throw new Error("directory returned no group");
    // The members are read back rather than echoed, so their type and display are the directory's.
    await respond(ctx, 201, result.created, types, result.group.members.length === 0 ? 0 : undefined);
    ctx.set("Location", resourceUrl(scimBaseUrl(ctx), "Group", result.created.id));
  });

  router.get("groups.list", "/Groups", (ctx) => list(ctx, (types) => parseListQuery(ctx.query, types.group, paging, limits)));

  router.get("groups.get", "/Groups/:id", async (ctx) => {
    const { group, hasMembers } = await directory.groups.getGroup({ tenantId: ctx.state.tenant.tenantId, id: resourceId(ctx) });
    if (!group) throw new Error("directory returned no group");
    if (group.meta && isNotModified(ctx.get("if-none-match") || undefined, group.meta.version)) {
      ctx.status = 304;
      ctx.set("ETag", versionToEtag(group.meta.version));
      return;
    }
    await respond(ctx, 200, group, await schemasOf(ctx), hasMembers ? undefined : 0);
  });

  router.put("groups.replace", "/Groups/:id", async (ctx) => {
    const tenantId = ctx.state.tenant.tenantId;
    const id = resourceId(ctx);
    const expectedVersion = expectedVersionOf(ctx.get("if-match") || undefined);
    const { result, types } = await writeGroup(ctx, true, async (types) => {
      const group = groupToProto(normalizeResource(ctx.request.body, types.group, "replace", limits));
      group.id = id;
      return {
        group,
        replaced: (await directory.groups.replaceGroup({ tenantId, group, expectedVersion, schemaRevision: types.revision })).group,
      };
    });
    if (!result.replaced) throw new Error("directory returned no group");
    await respond(ctx, 200, result.replaced, types, result.group.members.length === 0 ? 0 : undefined);
  });

  router.patch("groups.patch", "/Groups/:id", async (ctx) => {
    const operations = parsePatchRequest(ctx.request.body, limits);
    // The member limits, at the edge: the directory splits the operations the same way.
    const steps = splitMemberOperations(operations, limits);
    onGroupPatch?.(ctx, operations, steps);
    const tenantId = ctx.state.tenant.tenantId;
    const id = resourceId(ctx);
    const expectedVersion = expectedVersionOf(ctx.get("if-match") || undefined);
    const operationsProto = patchOperationsToProto(operations);
    const { result: group, types } = await writeGroup(
      ctx,
      false,
      async (types) =>
        (
          await directory.groups.patchGroup({
            tenantId,
            id,
            operations: operationsProto,
            expectedVersion,
            schemaRevision: types.revision,
          })
        ).group,
    );
    if (!group) throw new Error("directory returned no group");
    if (groupPatchAnswersWithBody(ctx)) {
      await respond(ctx, 200, group, types);
      return;
    }
    ctx.status = 204;
    if (group.meta) ctx.set("ETag", versionToEtag(group.meta.version));
  });

  router.delete("groups.delete", "/Groups/:id", async (ctx) => {
    await directory.groups.deleteGroup({
      tenantId: ctx.state.tenant.tenantId,
      id: resourceId(ctx),
      expectedVersion: expectedVersionOf(ctx.get("if-match") || undefined),
    });
    ctx.status = 204;
  });

  return { router, page };
}
