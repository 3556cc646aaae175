import path from "node:path";
import type { Command } from "commander";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { ensureCredentialFile } from "./credential-file.js";

export interface BootstrapOutcome {
  created: boolean;
  tenant: string;
  key?: string;
  keyId?: string;
  gatewayCredential?: "kept" | "issued";
}

/**
 * Migrates, and on an empty database creates the default tenant with a first key. With a
 * gateway credential file, also makes sure that file holds a live gateway credential.
 */
export async function bootstrap(
  { db }: AdminContext,
  tenantName: string,
  options: { gatewayCredentialFile?: string } = {},
): Promise<BootstrapOutcome> {
  const tenants = createTenantStore(db);
  await migrateToLatest(db);
  const file = options.gatewayCredentialFile;
  const credentials = createServiceCredentialStore(db);
  const gatewayCredential =
    file === undefined
      ? {}
      : { gatewayCredential: await ensureCredentialFile(credentials, file, "gateway (pnpm start)", "read-write", "all") };
  if ((await tenants.count()) > 0) return { created: false, tenant: (await tenants.list())[0]?.name ?? tenantName, ...gatewayCredential };
  const tenant = await tenants.create(tenantName);
  const { key, info } = await createApiKeyStore(db).issue(tenant.id, "created at first start");
  return { created: true, tenant: tenant.name, key, keyId: info.id, ...gatewayCredential };
}

export function addBootstrapCommand(program: Command, context: AdminContext): void {
  program
    .command("bootstrap")
    .description("create the schema and, on an empty database, a default tenant with an API key (prints JSON)")
    .option("--tenant <name>", "name of the default tenant", "default")
    .option("--gateway-credential-file <path>", "make this file hold a live read-write, all-tenants service credential for the gateway")
    .action(async (options: { tenant: string; gatewayCredentialFile?: string }) => {
      const file = options.gatewayCredentialFile;
      const outcome = await bootstrap(context, options.tenant, file === undefined ? {} : { gatewayCredentialFile: path.resolve(file) });
      context.out.write(`${JSON.stringify(outcome)}\n`);
    });
}
