#!/usr/bin/env node
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import { exitWithFailure } from "@scimgw/config";
import { loadDirectoryConfig } from "../config.js";
import { openDatabase } from "../database/open-database.js";
import { requireCurrentSchema } from "../database/migrations/migrate.js";
import { explainDirectoryFailure } from "../errors/explain-failure.js";
import type { AdminContext } from "./admin-context.js";
import { addActivityCommand } from "./activity-commands.js";
import { addBackupCommand } from "./backup-command.js";
import { addBootstrapCommand } from "./bootstrap-command.js";
import { addCopyStoreCommand } from "./copy-store-command.js";
import { addCredentialCommands } from "./credential-commands.js";
import { addGroupCommands } from "./group-commands.js";
import { addEntitlementCommands } from "./entitlement-commands.js";
import { addSchemaCommands } from "./schema-commands.js";
import { addKeyCommands } from "./key-commands.js";
import { addMigrateCommand } from "./migrate-command.js";
import { addOperatorCommands } from "./operator-commands.js";
import { addTenantCommands } from "./tenant-commands.js";
import { addUserCommands } from "./user-commands.js";

/**
 * Commands that bring the schema up to date themselves. Every other command needs the schema of
 * this build, so on a fresh or older database it says to run `migrate` rather than fail on a
 * missing table; on a newer one every command refuses (SchemaMismatchError).
 */
const migratesItself = new Set(["bootstrap", "migrate", "credentials issue", "credentials ensure"]);

/**
 * Commands that check the schema themselves: backup copies a store whose schema is behind this
 * build (the backup to take before an upgrade), and refuses PostgreSQL before reading anything.
 */
const checksSchemaItself = new Set(["backup"]);

/** The directory package's version: the CLI is built and shipped with the directory, from the same package. */
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** "credentials issue" for the command `scimgw-admin credentials issue …`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current?.parent; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}

/**
 * scimgw-admin: tenants, API keys and a look at what identity providers pushed. It reads the same
 * settings as the directory (DATA_DIR, DATABASE_URL), so it works on the same database.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadDirectoryConfig(process.env);
  if (config.database.kind === "sqlite") mkdirSync(path.dirname(config.database.filename), { recursive: true, mode: 0o700 });
  const db = openDatabase(config.database);
  const context: AdminContext = { db, out: process.stdout, readInput: readPipedStdin };
  // exitOverride: a usage error is thrown (exit 2, like every other usage error) after commander printed it.
  const program = new Command("scimgw-admin")
    .description("Administer the SCIM gateway's directory")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => {
        usageErrorPrinted = true;
        write(text);
      },
    });
  program.hook("preAction", async (_program, action) => {
    const command = commandPath(action);
    if (!migratesItself.has(command) && !checksSchemaItself.has(command)) await requireCurrentSchema(db);
  });
  // In this order in --help. Each adds through program.command(), which passes on settings such as showHelpAfterError.
  addBootstrapCommand(program, context);
  addMigrateCommand(program, context);
  addTenantCommands(program, context);
  addKeyCommands(program, context);
  addCredentialCommands(program, context);
  addOperatorCommands(program, context);
  addUserCommands(program, context);
  addGroupCommands(program, context);
  addEntitlementCommands(program, context);
  addSchemaCommands(program, context);
  addActivityCommand(program, context);
  addCopyStoreCommand(program, context, config.database);
  addBackupCommand(program, context, config.database);

  try {
    await program.parseAsync(argv);
  } finally {
    await db.destroy();
  }
}

/** What was piped to stdin; undefined when stdin is a terminal (nothing would end the read). */
async function readPipedStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Whether commander printed its usage error itself. A command's own InvalidArgumentError (thrown
 * by an action, e.g. neither --tenant nor --all-tenants) is a CommanderError it never prints.
 */
let usageErrorPrinted = false;

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help or --version asked for: done. A usage error: exit 2, with its message if nobody showed it.
    if (error.exitCode === 0) process.exit(0);
    if (!usageErrorPrinted) process.stderr.write(`scimgw-admin: ${error.message.replace(/^error: /, "")}\n`);
    process.exit(2);
  }
  exitWithFailure("scimgw-admin", error, explainDirectoryFailure(process.env));
});
