import type { Command } from "commander";
import { migrateToLatest, requireCurrentSchema } from "../database/migrations/migrate.js";
import type { AdminContext } from "./admin-context.js";

/**
 * `migrate`: brings the schema to this build's, for deployments that start the directory
 * separately and want the schema ready (or checked) before any replica starts.
 */
export function addMigrateCommand(program: Command, { db, out }: AdminContext): void {
  program
    .command("migrate")
    .description("create or update the database schema to this build's (the directory also does it at start)")
    .action(async () => {
      await migrateToLatest(db);
      await requireCurrentSchema(db);
      out.write("schema is up to date\n");
    });
}
