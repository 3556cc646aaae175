#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { RpcError } from "@scimgw/grpc";
import { ScimError } from "@scimgw/scim";
import { ConfigError } from "@scimgw/config";
import { loadDirectoryConfig } from "../config.js";
import { openDatabase } from "../database/open-database.js";
import type { AdminContext } from "./admin-context.js";
import { addBootstrapCommand } from "./bootstrap-command.js";
import { addCopyStoreCommand } from "./copy-store-command.js";
import { CopyStoreError } from "./copy-store.js";
import { addCredentialCommands } from "./credential-commands.js";
import { addKeyCommands } from "./key-commands.js";
import { addTenantCommands } from "./tenant-commands.js";
import { addUserCommands } from "./user-commands.js";

/**
 * scimgw-admin: tenants, API keys and a look at what identity providers pushed. It reads the same
 * settings as the directory (DATA_DIR, DATABASE_URL), so it works on the same database.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadDirectoryConfig(process.env);
  if (config.database.kind === "sqlite") mkdirSync(path.dirname(config.database.filename), { recursive: true, mode: 0o700 });
  const db = openDatabase(config.database);
  const context: AdminContext = { db, out: process.stdout };
  const program = new Command("scimgw-admin").description("Administer the SCIM gateway's directory").showHelpAfterError();
  // In this order in --help. Each adds through program.command(), which passes on settings such as showHelpAfterError.
  addBootstrapCommand(program, context);
  addTenantCommands(program, context);
  addKeyCommands(program, context);
  addCredentialCommands(program, context);
  addUserCommands(program, context);
  addCopyStoreCommand(program, context, config.database);

  try {
    await program.parseAsync(argv);
  } finally {
    await db.destroy();
  }
}

main(process.argv).catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof RpcError ||
    error instanceof ScimError ||
    error instanceof CopyStoreError ||
    error instanceof InvalidArgumentError
  ) {
    process.stderr.write(`scimgw-admin: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`scimgw-admin: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
