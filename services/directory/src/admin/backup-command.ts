import type { Command } from "commander";
import type { DatabaseLocation } from "../database/open-database.js";
import type { AdminContext } from "./admin-context.js";
import { backupStore, type BackupOptions, type BackupReport } from "./backup-store.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** 1536 bytes as "1.5 KiB": enough to see that a backup is the size expected. */
function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function renderReport(report: BackupReport, liveFilename: string): string {
  const schema =
    report.schema.pendingForThisBuild.length === 0
      ? `schema at ${report.schema.latestMigration} (this build's)`
      : `schema at ${report.schema.latestMigration}; this build would migrate it further (${report.schema.pendingForThisBuild.join(", ")})`;
  return [
    `Backed up ${printable(report.source)}`,
    `       to ${printable(report.file)} (${formatBytes(report.bytes)}, owner-only)`,
    `verified: integrity_check ok, foreign keys ok, ${schema}`,
    renderTable(
      ["table", "rows"],
      report.tables.map((table) => [table.table, table.rows]),
    ).trimEnd(),
    "",
    `To restore it: stop the directory, move ${printable(liveFilename)} aside together with its -wal and -shm`,
    'files, copy this file in its place (owner-only), and start the directory (README: "Backup, restore and upgrade").',
    "",
  ].join("\n");
}

/** `backup`, of the store the admin is configured for (`location`). */
export function addBackupCommand(program: Command, { db, out }: AdminContext, location: DatabaseLocation): void {
  program
    .command("backup")
    .description("copy the SQLite store into a new file while the directory runs, and verify the copy (PostgreSQL: use pg_dump)")
    .requiredOption("--to <file>", "the backup file to write (created owner-only; its folder is created if missing)")
    .option("--force", "replace an existing file at --to, once the new backup has verified")
    .option("--json", "print the verified report as JSON")
    .action(async (options: BackupOptions & { json?: boolean }) => {
      const report = await backupStore(db, location, options);
      if (options.json) out.write(renderJson(report));
      else out.write(renderReport(report, location.kind === "sqlite" ? location.filename : ""));
    });
}
