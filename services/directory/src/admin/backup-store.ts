import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import path from "node:path";
import type { Knex } from "knex";
import { migrationNames } from "../database/migrations/migrate.js";
import { readSchemaVersion, requireSchema, SchemaMismatchError } from "../database/migrations/schema-version.js";
import { describeDatabase, openSqliteReadOnly, type DatabaseLocation } from "../database/open-database.js";
import { BackupError } from "../errors/backup-error.js";
import { copiedTables } from "./copied-tables.js";

export { BackupError } from "../errors/backup-error.js";

export interface BackupOptions {
  /** The backup file to write; relative to the working directory. */
  to: string;
  /** Replace a file already at `to` (only once the new backup has verified). */
  force?: boolean;
}

/** What was checked on the written copy, read back from the file itself. */
export interface BackupReport {
  /** The store that was backed up (sqlite:<path>). */
  source: string;
  /** The backup file's absolute path. */
  file: string;
  bytes: number;
  /** PRAGMA integrity_check and foreign_key_check both found nothing wrong. */
  integrityCheck: "ok";
  foreignKeyCheck: "ok";
  schema: {
    /** The newest migration the copy has, equal to the live store's. */
    latestMigration: string;
    /** Migrations this build would still apply to it at start: none when the store is this build's. */
    pendingForThisBuild: string[];
  };
  /** Rows per table in the copy: one instant of the store, whatever was written meanwhile. */
  tables: Array<{ table: string; rows: number }>;
}

/**
 * PostgreSQL has its own consistent online backup, pg_dump, which every PostgreSQL operator
 * already runs and restores with; a second, home-made one would be worse at the same job.
 */
function refusePostgres(location: Extract<DatabaseLocation, { kind: "postgres" }>): BackupError {
  return new BackupError(
    `backup copies the SQLite store; this directory's store is PostgreSQL (${describeDatabase(location)}). ` +
      `Back it up with PostgreSQL's own tools: pg_dump --format=custom --schema=${location.schema} --file=<file> <DATABASE_URL>, ` +
      `restored with pg_restore (README: "Backup, restore and upgrade")`,
    2,
  );
}

/** The live database and the files SQLite keeps beside it: a backup must never land on one of them. */
function refuseLiveFiles(file: string, liveFilename: string): void {
  const real = (filename: string) => path.join(realpathSync(path.dirname(filename)), path.basename(filename));
  const live = real(liveFilename);
  const target = real(file);
  const sameInode =
    existsSync(file) && existsSync(live) && statSync(file).ino === statSync(live).ino && statSync(file).dev === statSync(live).dev;
  if (sameInode || ["", "-wal", "-shm", "-journal"].some((suffix) => target === `${live}${suffix}`)) {
    throw new BackupError(`--to ${file} is the live database (or one of its files); write the backup somewhere else`, 2);
  }
}

function refuseExisting(file: string, force: boolean): void {
  if (!existsSync(file)) return;
  if (statSync(file).isDirectory()) throw new BackupError(`--to ${file} is a folder; name the backup file to write in it`, 2);
  if (!force)
    throw new BackupError(
      `${file} already exists; choose a new file name, or add --force to replace it (only once the new backup has verified)`,
      2,
    );
}

/**
 * The migrations the live store has, in this build's order. A store behind this build is backed
 * up as it is (the backup to take before an upgrade is of the old schema); a store migrated by a
 * newer build, or never migrated, is refused as every admin command refuses it.
 */
async function liveMigrations(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const version = await readSchemaVersion(db, migrationNames);
  requireSchema(version, { allowPending: true });
  if (version.empty) throw new SchemaMismatchError("uninitialised", []);
  return { applied: migrationNames.filter((name) => !version.pending.includes(name)), pending: version.pending };
}

/** Reads the written copy back and checks it; any doubt is a failure and the copy is not kept. */
async function verifyCopy(
  filename: string,
  expected: { applied: string[]; pending: string[] },
): Promise<Omit<BackupReport, "source" | "file" | "bytes">> {
  const copy = openSqliteReadOnly(filename);
  try {
    const integrity: Array<{ integrity_check: string }> = await copy.raw("PRAGMA integrity_check");
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== "ok") {
      const problems = integrity.slice(0, 5).map((row) => row.integrity_check);
      throw new BackupError(
        `the copy failed SQLite's integrity check (${problems.join("; ")}); it was not kept. Try again; if it fails again, check the live database with sqlite3 <file> "PRAGMA integrity_check" and the disk`,
        1,
      );
    }
    const danglingReferences: unknown[] = await copy.raw("PRAGMA foreign_key_check");
    if (danglingReferences.length > 0)
      throw new BackupError(`the copy has ${danglingReferences.length} row(s) referring to rows it lacks; it was not kept. Try again`, 1);

    const version = await readSchemaVersion(copy, migrationNames);
    if (version.unknown.length > 0 || version.pending.join("\n") !== expected.pending.join("\n")) {
      throw new BackupError(
        `the copy's schema (pending: ${version.pending.join(", ") || "none"}) is not the live store's (pending: ${expected.pending.join(", ") || "none"}): was it migrated meanwhile? It was not kept; take the backup again`,
        1,
      );
    }

    const tables: BackupReport["tables"] = [];
    for (const table of copiedTables) {
      // A store behind this build lacks the tables of the migrations it has not had.
      if (!(await copy.schema.hasTable(table.name))) continue;
      const counted = await copy(table.name).count({ n: "*" }).first();
      tables.push({ table: table.name, rows: Number(counted?.n ?? 0) });
    }
    return {
      integrityCheck: "ok",
      foreignKeyCheck: "ok",
      schema: { latestMigration: expected.applied.at(-1) ?? "", pendingForThisBuild: version.pending },
      tables,
    };
  } finally {
    await copy.destroy();
  }
}

function fsyncPath(filename: string): void {
  const descriptor = openSync(filename, "r");
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Gives the verified copy its name. Without force a hard link, which fails if the name was taken
 * meanwhile, so nothing is ever overwritten by accident; with force a rename, which replaces the
 * old file in one step. Filesystems without hard links (some network and FAT mounts) get a rename
 * after a last look.
 */
function publish(partial: string, file: string, force: boolean): void {
  if (force) {
    renameSync(partial, file);
    return;
  }
  try {
    linkSync(partial, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") refuseExisting(file, false);
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw error;
    refuseExisting(file, false);
    renameSync(partial, file);
  }
}

/**
 * An online, consistent copy of the SQLite store into a new file, verified before it is kept.
 *
 * The copy is made by `VACUUM INTO`: one statement on this connection that reads the store in a
 * single read transaction, so the copy is one instant of the store while the directory (another
 * process, in WAL mode) goes on writing. It also writes a compact file without free pages (no
 * remains of deleted rows) in rollback-journal mode, so the backup is one self-contained file.
 * SQLite's online backup API was the alternative: it copies pages rather than rebuilding the
 * b-trees, which is faster on a large store, but when copied a few pages per step it starts over
 * whenever another process writes, which under an IdP's steady load may be never, and in one step
 * it is the same single read transaction as VACUUM INTO, through a driver handle knex does not
 * expose. Either way the snapshot keeps the WAL from being checkpointed until the copy ends.
 *
 * The copy goes to a hidden file beside the target, created owner-only (0600) before SQLite
 * writes it, is read back and checked (integrity_check, foreign_key_check, the schema, row
 * counts), flushed to disk, and only then given its name; a failure leaves no file at the name.
 */
export async function backupStore(db: Knex, location: DatabaseLocation, options: BackupOptions): Promise<BackupReport> {
  if (location.kind === "postgres") throw refusePostgres(location);
  const file = path.resolve(options.to);
  const force = options.force ?? false;
  refuseExisting(file, force);
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  refuseLiveFiles(file, location.filename);
  const migrations = await liveMigrations(db);

  const partial = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.partial`);
  // Created here, so the file is owner-only from its first byte (SQLite writes into an empty file).
  closeSync(openSync(partial, "wx", 0o600));
  try {
    await db.raw("VACUUM INTO ?", [partial]);
    chmodSync(partial, 0o600);
    const verified = await verifyCopy(partial, migrations);
    fsyncPath(partial);
    const bytes = statSync(partial).size;
    publish(partial, file, force);
    fsyncPath(folder);
    return { source: describeDatabase(location), file, bytes, ...verified };
  } finally {
    // After a link the hidden name is left over; after a failure, the whole copy.
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
  }
}
