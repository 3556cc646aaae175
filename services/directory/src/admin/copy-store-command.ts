import { mkdirSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { Knex } from "knex";
import type { z } from "zod";
import { databaseSchema, databaseUrl, locateDatabase } from "../config.js";
import { describeDatabase, openDatabase, type DatabaseLocation } from "../database/open-database.js";
import type { AdminContext } from "./admin-context.js";
import { copyStore } from "./copy-store.js";
import { OtherDatabaseError } from "../errors/explain-failure.js";
import { renderJson, renderTable } from "./render-output.js";

/**
 * Copies this database into an empty one (see copy-store.ts), printing progress, the verified
 * counts, and how to switch the directory over; with json, only the verified counts.
 */
export async function copyStoreAndReport(
  { db, out }: AdminContext,
  target: Knex,
  locations: { source: DatabaseLocation; target: DatabaseLocation },
  options: { json?: boolean } = {},
): Promise<void> {
  if (options.json) {
    const report = await copyStore(db, target);
    out.write(
      renderJson({ source: describeDatabase(locations.source), target: describeDatabase(locations.target), tables: report.tables }),
    );
    return;
  }
  out.write(`Copying ${describeDatabase(locations.source)}\n     to ${describeDatabase(locations.target)}\n`);
  // A line per tenth of each table, so a million users print ten lines, not two thousand.
  const printedTenths = new Map<string, number>();
  const report = await copyStore(db, target, {
    onProgress(tableName, copied, total) {
      const tenths = total === 0 ? 10 : Math.floor((copied * 10) / total);
      if (printedTenths.get(tableName) === tenths) return;
      printedTenths.set(tableName, tenths);
      out.write(`  ${tableName}: ${copied} of ${total} rows\n`);
    },
  });
  const rows = report.tables.map((t) => [t.table, t.copied, t.sourceRows, t.targetRows]);
  out.write(renderTable(["table", "rows copied", "source rows", "target rows"], rows));
  out.write("verified: counts and digests match\n\n");
  const settings =
    locations.target.kind === "postgres"
      ? ["DATABASE_URL=<the URL given to --to>", `DATABASE_SCHEMA=${locations.target.schema}`]
      : [`DATABASE_URL=sqlite:${locations.target.filename}`, "(DATABASE_SCHEMA is not used)"];
  out.write(
    [
      "Next steps, to switch the directory to the copy (or keep the copy as a backup):",
      "  1. Keep every directory replica stopped: writes to the old database from now on are not copied.",
      "  2. Set, for every directory replica:",
      ...settings.map((line) => `       ${line}`),
      "  3. Restart them; they serve from the copy. Keep the old database as a backup.",
      "",
    ].join("\n"),
  );
}

/** A flag checked by the same rule as the setting it stands for. */
function validatedBy(setting: z.ZodType<string>) {
  return (value: string): string => {
    const parsed = setting.safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join("; "));
    return parsed.data;
  };
}

async function openTarget(location: DatabaseLocation): Promise<Knex> {
  if (location.kind === "sqlite") mkdirSync(path.dirname(location.filename), { recursive: true });
  const target = openDatabase(location);
  try {
    await target.raw("select 1");
    return target;
  } catch (error) {
    await target.destroy();
    throw error;
  }
}

/** `copy-store`, from the database the admin is configured for (`source`). */
export function addCopyStoreCommand(program: Command, context: AdminContext, source: DatabaseLocation): void {
  program
    .command("copy-store")
    .description("copy everything into an empty database, e.g. from SQLite to PostgreSQL (stop the directory first)")
    .addOption(
      new Option("--to <url>", "the empty target: postgres://user@host:port/database, or sqlite:<path>")
        .argParser(validatedBy(databaseUrl))
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--to-schema <schema>", "the PostgreSQL schema to create the tables in")
        .argParser(validatedBy(databaseSchema))
        .default("public"),
    )
    .option("--json", "print only the verified counts, as JSON")
    .action(async (options: { to: string; toSchema: string; json?: boolean }) => {
      // Counting a big table may outlast the service's 15 s statement limit; a one-off copy may wait.
      const targetLocation = locateDatabase(options.to, process.cwd(), {
        schema: options.toSchema,
        poolMax: 4,
        statementTimeoutMs: 600_000,
      });
      // The target is reached first, so a target that cannot be reached is reported by the option naming it.
      const target = await openTarget(targetLocation).catch((error: unknown) => {
        throw new OtherDatabaseError("copy-store --to", error);
      });
      try {
        await copyStoreAndReport(context, target, { source, target: targetLocation }, options);
      } finally {
        await target.destroy();
      }
    });
}
