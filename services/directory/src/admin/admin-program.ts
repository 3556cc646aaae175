import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { DatabaseLocation } from "../database/open-database.js";
import { requireCurrentSchema } from "../database/migrations/migrate.js";
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
import { addReindexCommand } from "./reindex-command.js";
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
 * scimgw-admin's commands, on the database `context` opened at `database`: what main.ts parses the
 * command line with, and what the READMEs' command lines are checked against (readme-commands in
 * the e2e suite reads each command's help from this tree, in one process). A usage error is thrown
 * (a CommanderError) after commander printed it through `printError`; help and --version are
 * thrown too, with exit code 0.
 */
export function createAdminProgram(context: AdminContext, database: DatabaseLocation, printError: (text: string) => void): Command {
  const program = new Command("scimgw-admin")
    .description("Administer the SCIM gateway's directory")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: printError });
  program.hook("preAction", async (_program, action) => {
    const command = commandPath(action);
    if (!migratesItself.has(command) && !checksSchemaItself.has(command)) await requireCurrentSchema(context.db);
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
  addReindexCommand(program, context);
  addCopyStoreCommand(program, context, database);
  addBackupCommand(program, context, database);
  return program;
}
