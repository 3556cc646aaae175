import type { Command } from "commander";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, RpcError } from "@scimgw/grpc";
import type { Group } from "@scimgw/proto";
import { parseFilter, resolveFilter, type Filter } from "@scimgw/scim";
import { notFound } from "../errors/directory-errors.js";
import { createGroupStore, type GroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { positiveInteger } from "./positive-integer.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** Groups are read a page at a time, so a tenant's whole list is never one query's result. */
const pageSize = 500;

/** A group's attributes as --json prints them: the same fields in list and show. */
function groupSummary(group: Group) {
  return {
    id: group.id,
    displayName: group.displayName,
    externalId: group.externalId ?? null,
    created: group.meta?.created ? timestampDate(group.meta.created).toISOString() : null,
    lastModified: group.meta?.lastModified ? timestampDate(group.meta.lastModified).toISOString() : null,
    version: Number(group.meta?.version ?? 0),
  };
}

export async function listGroups(
  { db, out }: AdminContext,
  tenantRef: string,
  options: { json?: boolean; filter?: string; limit?: number },
): Promise<void> {
  const groups = createGroupStore(db);
  const tenant = await createTenantStore(db).resolve(tenantRef);
  // By the tenant's resource type, so its own extensions' attributes filter as the service's do.
  const filter: Filter | undefined = options.filter
    ? resolveFilter(parseFilter(options.filter), (await groups.schemas.get(tenant.id)).group)
    : undefined;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const listed: Group[] = [];
  let totalResults = 0;
  for (let startIndex = 1; listed.length < limit; startIndex += pageSize) {
    const page = await groups.list(tenant.id, filter, startIndex, Math.min(pageSize, limit - listed.length));
    totalResults = page.totalResults;
    listed.push(...page.groups);
    if (page.groups.length === 0 || listed.length >= totalResults) break;
  }
  if (options.json) {
    out.write(renderJson(listed.map(groupSummary)));
    return;
  }
  out.write(
    renderTable(
      ["displayName", "externalId", "id", "last modified"],
      listed.map((group) => {
        const summary = groupSummary(group);
        return [summary.displayName, summary.externalId ?? "", summary.id, summary.lastModified ?? ""];
      }),
    ),
  );
  const shown = listed.length < totalResults ? `${listed.length} of ${totalResults}` : `${listed.length}`;
  out.write(`${shown} group(s) in tenant "${printable(tenant.name)}".\n`);
}

/** A group by id, else by displayName (folded, as SCIM looks it up): what an admin types. */
async function resolveGroup(groups: GroupStore, tenantId: string, idOrDisplayName: string): Promise<Group> {
  for (const key of ["id", "displayName"] as const) {
    try {
      return (await groups.getBy(tenantId, key, idOrDisplayName)).group;
    } catch (error) {
      if (!(error instanceof RpcError && error.code === Code.NOT_FOUND)) throw error;
    }
  }
  throw notFound(`group "${idOrDisplayName}"`);
}

export async function showGroup(
  { db, out }: AdminContext,
  tenantRef: string,
  groupRef: string,
  options: { json?: boolean; membersLimit: number },
): Promise<void> {
  const groups = createGroupStore(db);
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const group = await resolveGroup(groups, tenant.id, groupRef);
  // The member count is one indexed count and the members one page: a group of a million members is read no further.
  const memberCount = await groups.memberCount(tenant.id, group.id);
  const members = await groups.members(tenant.id, group.id, "", options.membersLimit);
  if (options.json) {
    out.write(
      renderJson({
        ...groupSummary(group),
        memberCount,
        members: members.map((m) => ({ value: m.value, type: m.type, display: m.display ?? null })),
      }),
    );
    return;
  }
  const summary = groupSummary(group);
  out.write(
    renderTable(
      ["attribute", "value"],
      [
        ["displayName", summary.displayName],
        ["externalId", summary.externalId ?? ""],
        ["id", summary.id],
        ["created", summary.created ?? ""],
        ["last modified", summary.lastModified ?? ""],
        ["members", memberCount],
      ],
    ),
  );
  if (members.length > 0)
    out.write(
      renderTable(
        ["member", "type", "id"],
        members.map((m) => [m.display ?? "", m.type, m.value]),
      ),
    );
  const more = memberCount - members.length;
  if (more > 0) out.write(`${members.length} of ${memberCount} members shown (ordered by id); --members-limit shows more.\n`);
}

export function addGroupCommands(program: Command, context: AdminContext): void {
  const groups = program.command("groups").description("the groups identity providers pushed");
  groups
    .command("list <tenant>")
    .description("list a tenant's groups")
    .option("--filter <filter>", "a SCIM filter, e.g. 'displayName sw \"eng\"'")
    .option("--limit <n>", "list at most n groups", positiveInteger)
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean; filter?: string; limit?: number }) => listGroups(context, tenant, options));
  groups
    .command("show <tenant> <group>")
    .description("show a group (by id or displayName): its attributes, member count and first members")
    .option("--members-limit <n>", "show at most n members", positiveInteger, 50)
    .option("--json", "print JSON")
    .action((tenant: string, group: string, options: { json?: boolean; membersLimit: number }) =>
      showGroup(context, tenant, group, options),
    );
}
