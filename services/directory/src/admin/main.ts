#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import type { z } from "zod";
import { RpcError } from "@scimgw/grpc";
import { ScimError } from "@scimgw/scim";
import { ConfigError } from "@scimgw/config";
import { databaseSchema, databaseUrl, loadDirectoryConfig, locateDatabase } from "../config.js";
import { openDatabase } from "../database/open-database.js";
import { createAdminCommands } from "./admin-commands.js";
import { CopyStoreError } from "./copy-store.js";
import { scopes, type Scope } from "../service-credentials/service-credential-store.js";

/** A flag checked by the same rule as the setting it stands for. */
function validatedBy(setting: z.ZodType<string>) {
  return (value: string): string => {
    const parsed = setting.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join("; "));
    return parsed.data;
  };
}

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
    .option("--gateway-credential-file <path>", "make this file hold a live read-write service credential for the gateway")
    .action(async (options: { tenant: string; gatewayCredentialFile?: string }) => {
      const gatewayCredentialFile = options.gatewayCredentialFile === undefined ? {} : { gatewayCredentialFile: path.resolve(options.gatewayCredentialFile) };
      process.stdout.write(`${JSON.stringify(await commands.bootstrap(options.tenant, gatewayCredentialFile))}\n`);
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

  const credentials = program.command("credentials").description("service credentials that internal services (and the gateway) present to the directory's gRPC API");
  credentials.command("issue <name>").description("issue a credential (shown once)")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .option("--json", "print JSON")
    .action((name: string, options: { scope: Scope; json?: boolean }) => commands.issueCredential(name, options));
  credentials.command("ensure <name>").description("make a file hold a live credential, issuing one only if needed (for services on this machine)")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .requiredOption("--file <path>", "where the credential is kept (written owner-only)")
    .action((name: string, options: { scope: Scope; file: string }) => {
      mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
      return commands.ensureCredential(name, { scope: options.scope, file: path.resolve(options.file) });
    });
  credentials.command("list").description("list credentials (never the secrets)").option("--json", "print JSON")
    .action((options: { json?: boolean }) => commands.listCredentials(options));
  credentials.command("revoke <id>").description("revoke a credential").action((id: string) => commands.revokeCredential(id));

  const users = program.command("users").description("the users identity providers pushed");
  users.command("list <tenant>").description("list a tenant's users with their status")
    .option("--filter <filter>", 'a SCIM filter, e.g. \'userName eq "alice@example.com"\'').option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean; filter?: string }) => commands.listUsers(tenant, options));

  program
    .command("copy-store")
    .description("copy everything into an empty database, e.g. from SQLite to PostgreSQL (stop the directory first)")
    .addOption(new Option("--to <url>", "the empty target: postgres://user@host:port/database, or sqlite:<path>").argParser(validatedBy(databaseUrl)).makeOptionMandatory())
    .addOption(new Option("--to-schema <schema>", "the PostgreSQL schema to create the tables in").argParser(validatedBy(databaseSchema)).default("public"))
    .action(async (options: { to: string; toSchema: string }) => {
      // Counting a big table may outlast the service's 15 s statement limit; a one-off copy may wait.
      const targetLocation = locateDatabase(options.to, process.cwd(), { schema: options.toSchema, poolMax: 4, statementTimeoutMs: 600_000 });
      if (targetLocation.kind === "sqlite") mkdirSync(path.dirname(targetLocation.filename), { recursive: true });
      const target = openDatabase(targetLocation);
      try {
        await commands.copyStore(target, { source: config.database, target: targetLocation });
      } finally {
        await target.destroy();
      }
    });

  try {
    await program.parseAsync(argv);
  } finally {
    await db.destroy();
  }
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RpcError || error instanceof ScimError || error instanceof CopyStoreError) {
    process.stderr.write(`scimgw-admin: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`scimgw-admin: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
