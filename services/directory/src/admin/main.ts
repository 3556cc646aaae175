#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { RpcError } from "@scimgw/grpc";
import { ScimError } from "@scimgw/scim";
import { ConfigError, loadDirectoryConfig } from "../config.js";
import { openDatabase } from "../database/open-database.js";
import { createAdminCommands } from "./admin-commands.js";

/**
 * scimgw-admin: tenants, API keys and a look at what identity providers pushed. It reads the same
 * settings as the directory (DATA_DIR, DATABASE_URL), so it works on the same database.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadDirectoryConfig(process.env);
  if (config.database.kind === "sqlite") mkdirSync(path.dirname(config.database.filename), { recursive: true });
  const db = openDatabase(config.database);
  const commands = createAdminCommands({ db, out: process.stdout });
  const program = new Command("scimgw-admin").description("Administer the SCIM gateway's directory").showHelpAfterError();

  program
    .command("bootstrap")
    .description("create the schema and, on an empty database, a default tenant with an API key (prints JSON)")
    .option("--tenant <name>", "name of the default tenant", "default")
    .action(async (options: { tenant: string }) => {
      process.stdout.write(`${JSON.stringify(await commands.bootstrap(options.tenant))}\n`);
    });

  const tenants = program.command("tenants").description("customer tenants");
  tenants.command("create <name>").description("create a tenant and issue its first API key").option("--json", "print JSON")
    .action((name: string, options: { json?: boolean }) => commands.createTenant(name, options));
  tenants.command("list").description("list tenants").option("--json", "print JSON").action((options: { json?: boolean }) => commands.listTenants(options));

  const keys = program.command("keys").description("API keys that identity providers use as bearer tokens");
  keys.command("issue <tenant>").description("issue a new API key (shown once); old keys stay valid until revoked")
    .option("--label <label>", "what the key is for").option("--json", "print JSON")
    .action((tenant: string, options: { label?: string; json?: boolean }) => commands.issueKey(tenant, options));
  keys.command("list <tenant>").description("list a tenant's keys (never the secrets)").option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean }) => commands.listKeys(tenant, options));
  keys.command("revoke <tenant> <keyId>").description("revoke a key").action((tenant: string, keyId: string) => commands.revokeKey(tenant, keyId));

  const users = program.command("users").description("the users identity providers pushed");
  users.command("list <tenant>").description("list a tenant's users with their status")
    .option("--filter <filter>", 'a SCIM filter, e.g. \'userName eq "alice@example.com"\'').option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean; filter?: string }) => commands.listUsers(tenant, options));

  try {
    await program.parseAsync(argv);
  } finally {
    await db.destroy();
  }
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RpcError || error instanceof ScimError) {
    process.stderr.write(`scimgw-admin: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`scimgw-admin: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
