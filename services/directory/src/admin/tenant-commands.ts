import type { Command } from "commander";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { createUserStore } from "../users/user-store.js";
import type { AdminContext } from "./admin-context.js";
import { renderNewKey } from "./key-commands.js";
import { renderJson, renderTable } from "./render-output.js";

export async function createTenant({ db, out }: AdminContext, name: string, options: { json?: boolean }): Promise<void> {
  await migrateToLatest(db);
  const tenant = await createTenantStore(db).create(name);
  const { key, info } = await createApiKeyStore(db).issue(tenant.id, "first key");
  if (options.json) out.write(renderJson({ tenant, key, keyId: info.id }));
  else {
    out.write(`Created tenant "${tenant.name}" (id ${tenant.id}).\n\n`);
    out.write(renderNewKey(tenant.name, key, info.id));
  }
}

export async function listTenants({ db, out }: AdminContext, options: { json?: boolean }): Promise<void> {
  const users = createUserStore(db);
  const all = await createTenantStore(db).list();
  const withCounts = await Promise.all(all.map(async (tenant) => ({ ...tenant, users: await users.count(tenant.id) })));
  if (options.json) out.write(renderJson(withCounts));
  else
    out.write(
      renderTable(
        ["name", "id", "users", "created"],
        withCounts.map((t) => [t.name, t.id, t.users, t.createdAt]),
      ),
    );
}

export function addTenantCommands(program: Command, context: AdminContext): void {
  const tenants = program.command("tenants").description("customer tenants");
  tenants
    .command("create <name>")
    .description("create a tenant and issue its first API key")
    .option("--json", "print JSON")
    .action((name: string, options: { json?: boolean }) => createTenant(context, name, options));
  tenants
    .command("list")
    .description("list tenants")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => listTenants(context, options));
}
