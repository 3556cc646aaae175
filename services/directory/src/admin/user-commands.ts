import type { Command } from "commander";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, RpcError } from "@scimgw/grpc";
import type { User } from "@scimgw/proto";
import { parseFilter, resolveFilter, type Filter } from "@scimgw/scim";
import { notFound } from "../errors/directory-errors.js";
import type { KeysetPosition } from "../query/keyset.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { userKeyset } from "../users/compile-user-sort.js";
import { createUserStore, type UserStore } from "../users/user-store.js";
import type { AdminContext } from "./admin-context.js";
import { createActivityStore } from "../activity/activity-store.js";
import { activityLine, activitySummary } from "./activity-commands.js";
import { positiveInteger } from "./positive-integer.js";
import { printable, renderJson, renderTable, startJsonArray } from "./render-output.js";

/** Activity entries `users show` prints, the latest. */
const shownActivity = 5;

/** Users are read and printed a page at a time, so a tenant of a million users is never held in memory. */
const pageSize = 1000;

const primaryEmail = (user: User) => (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? null;

/** A user as --json prints it, in list and show alike: its attributes, meta times and the groups it is in. */
function userSummary(user: User) {
  return {
    id: user.id,
    userName: user.userName,
    active: user.active ?? true,
    displayName: user.displayName ?? null,
    givenName: user.name?.givenName ?? null,
    familyName: user.name?.familyName ?? null,
    email: primaryEmail(user),
    externalId: user.externalId ?? null,
    version: Number(user.meta?.version ?? 0),
    created: user.meta?.created ? timestampDate(user.meta.created).toISOString() : null,
    lastModified: user.meta?.lastModified ? timestampDate(user.meta.lastModified).toISOString() : null,
    groups: user.groups.map((group) => ({ value: group.value, display: group.display ?? null, type: group.type ?? null })),
  };
}

const statusOf = (user: User) => (user.active === false ? "deactivated" : "active");

/** What an admin runs to check that the identity provider's pushes arrived. */
export async function listUsers(
  { db, out }: AdminContext,
  tenantRef: string,
  options: { json?: boolean; filter?: string; limit?: number },
): Promise<void> {
  const users = createUserStore(db);
  const tenant = await createTenantStore(db).resolve(tenantRef);
  // By the tenant's resource type, so its own extensions' attributes filter as the service's do.
  const filter: Filter | undefined = options.filter
    ? resolveFilter(parseFilter(options.filter), (await users.schemas.get(tenant.id)).user)
    : undefined;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const keyset = userKeyset(undefined);
  const json = options.json ? startJsonArray(out) : undefined;
  let listed = 0;
  let after: KeysetPosition | undefined;
  let more = false;
  do {
    const page = await users.listAfter(tenant.id, filter, keyset, after, Math.min(pageSize, limit - listed), false);
    // Listed with their groups (listAfter reads them in the same statement).
    const pageUsers = page.items;
    listed += pageUsers.length;
    after = page.next;
    more = after !== undefined;
    if (json) for (const user of pageUsers) json.add(userSummary(user));
    else if (pageUsers.length > 0)
      // A table per page: a table needs its rows before it can size its columns.
      out.write(
        renderTable(
          ["userName", "status", "name", "email", "externalId", "id"],
          pageUsers.map((user) => [
            user.userName,
            statusOf(user),
            [user.name?.givenName, user.name?.familyName].filter(Boolean).join(" "),
            primaryEmail(user) ?? "",
            user.externalId ?? "",
            user.id,
          ]),
        ),
      );
  } while (more && listed < limit);
  if (json) json.end();
  else out.write(`${listed} user(s)${more ? " shown (--limit reached)" : ""} in tenant "${printable(tenant.name)}".\n`);
}

/** A user by id, else by userName (folded, as SCIM looks it up): what an admin types. */
async function resolveUser(users: UserStore, tenantId: string, idOrUserName: string): Promise<User> {
  for (const key of ["id", "userName"] as const) {
    try {
      return await users.getBy(tenantId, key, idOrUserName);
    } catch (error) {
      if (!(error instanceof RpcError && error.code === Code.NOT_FOUND)) throw error;
    }
  }
  throw notFound(`user "${idOrUserName}"`);
}

export async function showUser({ db, out }: AdminContext, tenantRef: string, userRef: string, options: { json?: boolean }): Promise<void> {
  const users = createUserStore(db);
  const tenant = await createTenantStore(db).resolve(tenantRef);
  // With its groups: getBy reads them in the same statement.
  const user = await resolveUser(users, tenant.id, userRef);
  const summary = userSummary(user);
  const emails = user.emails.map((email) => ({ value: email.value, type: email.type ?? null, primary: email.primary ?? false }));
  const { rows: activity } = await createActivityStore(db).listLatestFirst({ tenantId: tenant.id, resourceId: user.id }, shownActivity);
  if (options.json) {
    out.write(renderJson({ ...summary, emails, activity: activity.map(activitySummary) }));
    return;
  }
  out.write(
    renderTable(
      ["attribute", "value"],
      [
        ["userName", summary.userName],
        ["status", statusOf(user)],
        ["displayName", summary.displayName ?? ""],
        ["name", [summary.givenName, summary.familyName].filter(Boolean).join(" ")],
        ["emails", emails.map((email) => `${email.value}${email.primary ? " (primary)" : ""}`).join("\n")],
        ["externalId", summary.externalId ?? ""],
        ["id", summary.id],
        ["created", summary.created ?? ""],
        ["last modified", summary.lastModified ?? ""],
      ],
    ),
  );
  if (summary.groups.length === 0) out.write("In no groups.\n");
  else
    out.write(
      renderTable(
        ["group", "membership", "group id"],
        summary.groups.map((group) => [group.display ?? "", group.type ?? "", group.value]),
      ),
    );
  if (activity.length === 0) out.write("No activity recorded for this user.\n");
  else {
    out.write(`Latest activity (\`activity ${printable(tenantRef)} --resource ${user.id}\` for more):\n`);
    for (const row of activity.reverse()) out.write(activityLine(row));
  }
}

export function addUserCommands(program: Command, context: AdminContext): void {
  const users = program.command("users").description("the users identity providers pushed");
  users
    .command("list <tenant>")
    .description("list a tenant's users with their status, page by page")
    .option("--filter <filter>", "a SCIM filter, e.g. 'userName eq \"alice@example.com\"'")
    .option("--limit <n>", "list at most n users", positiveInteger)
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean; filter?: string; limit?: number }) => listUsers(context, tenant, options));
  users
    .command("show <tenant> <user>")
    .description("show a user (by id or userName): attributes, the groups it is in and its latest activity")
    .option("--json", "print JSON")
    .action((tenant: string, user: string, options: { json?: boolean }) => showUser(context, tenant, user, options));
}
