import type { Command } from "commander";
import { migrateToLatest, migrationNames, requireCurrentSchema } from "../database/migrations/migrate.js";
import type { AdminContext } from "./admin-context.js";
import { renderJson } from "./render-output.js";

/**
 * `migrate`: brings the schema to this build's, for deployments that start the directory
 * separately and want the schema ready (or checked) before any replica starts.
 */
export function addMigrateCommand(program: Command, { db, out }: AdminContext): void {
  program
    .command("migrate")
    .description("create or update the database schema to this build's (the directory also does it at start)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      await migrateToLatest(db);
      await requireCurrentSchema(db);
      if (options.json) out.write(renderJson({ upToDate: true, latestMigration: migrationNames.at(-1) }));
      else out.write("schema is up to date\n");
    });
}
