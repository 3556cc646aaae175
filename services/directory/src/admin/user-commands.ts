import type { Command } from "commander";
import { parseFilter, resolveFilter, userResourceType, type Filter } from "@scimgw/scim";
import { createTenantStore } from "../tenants/tenant-store.js";
import { createUserStore } from "../users/user-store.js";
import type { AdminContext } from "./admin-context.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** What an admin runs to check that the identity provider's pushes arrived. */
export async function listUsers({ db, out }: AdminContext, tenantRef: string, options: { json?: boolean; filter?: string }): Promise<void> {
  const users = createUserStore(db);
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const filter: Filter | undefined = options.filter ? resolveFilter(parseFilter(options.filter), userResourceType) : undefined;
  const pageSize = 1000;
  const all = [];
  for (let startIndex = 1; ; startIndex += pageSize) {
    const page = await users.list(tenant.id, filter, startIndex, pageSize);
    all.push(...page.users);
    if (page.users.length < pageSize) break;
  }
  if (options.json) {
    out.write(
      renderJson(
        all.map((user) => ({
          id: user.id,
          userName: user.userName,
          active: user.active ?? true,
          displayName: user.displayName ?? null,
          givenName: user.name?.givenName ?? null,
          familyName: user.name?.familyName ?? null,
          email: (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? null,
          externalId: user.externalId ?? null,
          version: Number(user.meta?.version ?? 0),
        })),
      ),
    );
    return;
  }
  out.write(
    renderTable(
      ["userName", "status", "name", "email", "externalId", "id"],
      all.map((user) => [
        user.userName,
        user.active === false ? "deactivated" : "active",
        [user.name?.givenName, user.name?.familyName].filter(Boolean).join(" "),
        (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? "",
        user.externalId ?? "",
        user.id,
      ]),
    ),
  );
  out.write(`${all.length} user(s) in tenant "${printable(tenant.name)}".\n`);
}

export function addUserCommands(program: Command, context: AdminContext): void {
  const users = program.command("users").description("the users identity providers pushed");
  users
    .command("list <tenant>")
    .description("list a tenant's users with their status")
    .option("--filter <filter>", "a SCIM filter, e.g. 'userName eq \"alice@example.com\"'")
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean; filter?: string }) => listUsers(context, tenant, options));
}
