import { InvalidArgumentError, type Command } from "commander";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { readTenantHealth } from "../administration/tenant-health.js";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createTenantStore, type KeptCount, type ResourceRecount } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { renderNewKey } from "./key-commands.js";
import { positiveInteger } from "./positive-integer.js";
import { printable, renderJson, renderTable } from "./render-output.js";

export async function createTenant({ db, out }: AdminContext, name: string, options: { json?: boolean }): Promise<void> {
  await migrateToLatest(db);
  const tenant = await createTenantStore(db).create(name);
  const { key, info } = await createApiKeyStore(db).issue(tenant.id, "first key");
  if (options.json) out.write(renderJson({ tenant, key, keyId: info.id }));
  else {
    out.write(`Created tenant "${printable(tenant.name)}" (id ${tenant.id}).\n\n`);
    out.write(renderNewKey(tenant.name, key, info.id));
  }
}

const describeLimit = (limit: { perSecond: number; burst: number } | null) =>
  limit === null ? "gateway default" : `${limit.perSecond}/s, burst ${limit.burst}`;

export async function listTenants({ db, out }: AdminContext, options: { json?: boolean }): Promise<void> {
  const all = await createTenantStore(db).list();
  // One statement for every tenant's health, whose user count the tenant's row keeps.
  const health = await readTenantHealth(db);
  const withCounts = all.map((tenant) => ({ ...tenant, users: health.get(tenant.id)?.userCount ?? 0 }));
  if (options.json) out.write(renderJson(withCounts));
  else
    out.write(
      renderTable(
        ["name", "id", "status", "users", "rate limit", "created"],
        withCounts.map((t) => [
          t.name,
          t.id,
          t.suspendedAt === null ? "active" : `suspended since ${t.suspendedAt}`,
          t.users,
          describeLimit(t.rateLimit),
          t.createdAt,
        ]),
      ),
    );
}

export async function renameTenant(
  { db, out }: AdminContext,
  tenantRef: string,
  newName: string,
  options: { json?: boolean },
): Promise<void> {
  const tenants = createTenantStore(db);
  const tenant = await tenants.resolve(tenantRef);
  const renamed = await tenants.rename(tenant.id, newName);
  if (options.json) out.write(renderJson(renamed));
  else
    out.write(
      `Renamed tenant "${printable(tenant.name)}" to "${printable(renamed.name)}" (id ${renamed.id}); its keys and data are unchanged.\n`,
    );
}

/** Suspends or resumes a tenant: its keys are refused meanwhile; nothing is deleted. */
export async function setTenantSuspended(
  { db, out }: AdminContext,
  tenantRef: string,
  suspended: boolean,
  options: { json?: boolean },
): Promise<void> {
  const tenants = createTenantStore(db);
  const tenant = await tenants.resolve(tenantRef);
  const updated = suspended ? await tenants.suspend(tenant.id) : await tenants.resume(tenant.id);
  if (options.json) out.write(renderJson(updated));
  else if (suspended)
    out.write(
      `Suspended tenant "${printable(updated.name)}" (id ${updated.id}) since ${updated.suspendedAt}: its API keys get 401 saying so once gateways' key cache expires (API_KEY_CACHE_SECONDS). Nothing is deleted; \`tenants resume\` undoes it.
`,
    );
  else
    out.write(
      `Resumed tenant "${printable(updated.name)}" (id ${updated.id}): its live API keys work again within the gateways' key cache period.
`,
    );
}

/** "1000", or "1000 (was 998)" when the tenant's row kept another count. */
const describeRecount = ({ kept, counted }: KeptCount) => (kept === counted ? String(counted) : `${counted} (was ${kept})`);

/**
 * Recounts one tenant's users and groups from its rows, or every tenant's one after another, and
 * says which kept counts were wrong (see TenantStore.recountResources). Safe while directories run.
 */
export async function recountTenants({ db, out }: AdminContext, tenantRef: string | undefined, options: { json?: boolean }): Promise<void> {
  const tenants = createTenantStore(db);
  const chosen = tenantRef === undefined ? await tenants.list() : [await tenants.resolve(tenantRef)];
  const recounted: Array<{ id: string; name: string } & ResourceRecount> = [];
  for (const tenant of chosen) recounted.push({ id: tenant.id, name: tenant.name, ...(await tenants.recountResources(tenant.id)) });
  if (options.json) {
    out.write(renderJson(recounted));
    return;
  }
  const drifted = recounted.filter(({ users, groups }) => users.kept !== users.counted || groups.kept !== groups.counted).length;
  out.write(
    renderTable(
      ["name", "id", "users", "groups"],
      recounted.map((tenant) => [tenant.name, tenant.id, describeRecount(tenant.users), describeRecount(tenant.groups)]),
    ),
  );
  out.write(
    drifted === 0
      ? `Recounted ${recounted.length} tenant(s): every kept count was right.\n`
      : `Recounted ${recounted.length} tenant(s): ${drifted} had kept a wrong count, now corrected.\n`,
  );
}

export interface TenantLimitOptions {
  perSecond?: number;
  burst?: number;
  default?: boolean;
  json?: boolean;
}

/** Sets a tenant's own rate limit, or with --default returns it to the gateways' settings. */
export async function setTenantLimits({ db, out }: AdminContext, tenantRef: string, options: TenantLimitOptions): Promise<void> {
  await migrateToLatest(db);
  const tenants = createTenantStore(db);
  const tenant = await tenants.resolve(tenantRef);
  let limit: { perSecond: number; burst: number } | null;
  if (options.default) {
    if (options.perSecond !== undefined || options.burst !== undefined)
      throw new InvalidArgumentError("--default takes no --per-second or --burst");
    limit = null;
  } else {
    if (options.perSecond === undefined) throw new InvalidArgumentError("give --per-second (and optionally --burst), or --default");
    // Without --burst, four seconds' worth: an IdP's import starts with a burst of parallel requests.
    const burst = options.burst ?? options.perSecond * 4;
    if (burst < options.perSecond)
      throw new InvalidArgumentError(`--burst (${burst}) must be at least --per-second (${options.perSecond})`);
    limit = { perSecond: options.perSecond, burst };
  }
  const updated = await tenants.setRateLimit(tenant.id, limit);
  if (options.json) out.write(renderJson(updated));
  else
    out.write(
      `Tenant "${printable(updated.name)}" rate limit: ${describeLimit(updated.rateLimit)}. Gateways apply it within their key cache period (API_KEY_CACHE_SECONDS).\n`,
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
  tenants
    .command("rename <tenant> <new-name>")
    .description("rename a tenant (same rules as create); its id, keys and data stay")
    .option("--json", "print JSON")
    .action((tenant: string, newName: string, options: { json?: boolean }) => renameTenant(context, tenant, newName, options));
  tenants
    .command("suspend <tenant>")
    .description("refuse the tenant's API keys (401 saying it is suspended) until resumed; nothing is deleted")
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean }) => setTenantSuspended(context, tenant, true, options));
  tenants
    .command("resume <tenant>")
    .description("end a suspension: the tenant's live API keys work again")
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean }) => setTenantSuspended(context, tenant, false, options));
  tenants
    .command("recount [tenant]")
    .description("count a tenant's users and groups again from its rows (every tenant when none is named) and correct the counts it keeps")
    .option("--json", "print JSON")
    .action((tenant: string | undefined, options: { json?: boolean }) => recountTenants(context, tenant, options));
  tenants
    .command("limits <tenant>")
    .description("set a tenant's request rate limit (all its API keys together), or return it to the gateways' default")
    .option("--per-second <n>", "sustained requests per second", positiveInteger)
    .option("--burst <n>", "requests at once after a quiet period (default: 4 × per-second)", positiveInteger)
    .option("--default", "remove the tenant's own limit: the gateways' RATE_LIMIT_TENANT_* settings apply")
    .option("--json", "print JSON")
    .action((tenant: string, options: TenantLimitOptions) => setTenantLimits(context, tenant, options));
}
