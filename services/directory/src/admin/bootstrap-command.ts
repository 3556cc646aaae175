import path from "node:path";
import type { Command } from "commander";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { ensureCredentialFile, writeSecretFile } from "./credential-file.js";

export interface BootstrapOutcome {
  created: boolean;
  tenant: string;
  key?: string;
  keyId?: string;
  gatewayCredential?: "kept" | "issued";
  consoleCredential?: "kept" | "issued";
}

/**
 * Migrates, and on an empty database creates the default tenant with a first key. With a
 * gateway credential file, also makes sure that file holds a live gateway credential, and with a
 * console credential file one for the console (admin scope, all tenants: it administers the
 * install). With a key file, the first key is also written there, so a start that fails before
 * showing it loses nothing.
 */
export async function bootstrap(
  { db }: Pick<AdminContext, "db">,
  tenantName: string,
  options: { gatewayCredentialFile?: string; consoleCredentialFile?: string; keyFile?: string } = {},
): Promise<BootstrapOutcome> {
  const tenants = createTenantStore(db);
  await migrateToLatest(db);
  const file = options.gatewayCredentialFile;
  const credentials = createServiceCredentialStore(db);
  const gatewayCredential =
    file === undefined
      ? {}
      : { gatewayCredential: await ensureCredentialFile(credentials, file, "gateway (pnpm start)", "read-write", "all") };
  const consoleFile = options.consoleCredentialFile;
  const consoleCredential =
    consoleFile === undefined ? {} : { consoleCredential: await ensureCredentialFile(credentials, consoleFile, "console", "admin", "all") };
  if ((await tenants.count()) > 0)
    return { created: false, tenant: (await tenants.list())[0]?.name ?? tenantName, ...gatewayCredential, ...consoleCredential };
  const tenant = await tenants.create(tenantName);
  const { key, info } = await createApiKeyStore(db).issue(tenant.id, "created at first start");
  if (options.keyFile !== undefined) await writeSecretFile(options.keyFile, key);
  return { created: true, tenant: tenant.name, key, keyId: info.id, ...gatewayCredential, ...consoleCredential };
}

export function addBootstrapCommand(program: Command, context: AdminContext): void {
  program
    .command("bootstrap")
    .description("create the schema and, on an empty database, a default tenant with an API key (prints JSON)")
    .option("--tenant <name>", "name of the default tenant", "default")
    .option("--gateway-credential-file <path>", "make this file hold a live read-write, all-tenants service credential for the gateway")
    .option("--console-credential-file <path>", "make this file hold a live admin, all-tenants service credential for the console")
    .option("--key-file <path>", "also write the first API key to this file (owner-only), for a start that shows it later")
    .action(async (options: { tenant: string; gatewayCredentialFile?: string; consoleCredentialFile?: string; keyFile?: string }) => {
      const { gatewayCredentialFile: file, consoleCredentialFile: consoleFile, keyFile } = options;
      const outcome = await bootstrap(context, options.tenant, {
        ...(file === undefined ? {} : { gatewayCredentialFile: path.resolve(file) }),
        ...(consoleFile === undefined ? {} : { consoleCredentialFile: path.resolve(consoleFile) }),
        ...(keyFile === undefined ? {} : { keyFile: path.resolve(keyFile) }),
      });
      context.out.write(`${JSON.stringify(outcome)}\n`);
    });
}
