import type { Knex } from "knex";

/** Where a database's schema stands against the migrations this build knows. */
export interface SchemaVersion {
  /** Migrations this build knows that the database has not had. */
  pending: string[];
  /** Migrations the database has had that this build does not know: it was migrated by a newer build. */
  unknown: string[];
  /** No migration has run at all: a fresh database. */
  empty: boolean;
}

/**
 * Why a command cannot use the database as it is. Admin commands other than `migrate` and
 * `bootstrap` need the schema this build expects; nothing may run on a schema newer than the code.
 */
export class SchemaMismatchError extends Error {
  constructor(
    readonly kind: "uninitialised" | "behind" | "newer",
    readonly migrations: readonly string[],
  ) {
    super(
      kind === "newer"
        ? `the database was migrated by a newer build (unknown migrations: ${migrations.join(", ")})`
        : kind === "uninitialised"
          ? "the database has no schema yet"
          : `the database lacks migrations: ${migrations.join(", ")}`,
    );
    this.name = "SchemaMismatchError";
  }
}

/** Compares the migrations knex recorded in the database with `known`, this build's, in one read. */
export async function readSchemaVersion(db: Knex, known: readonly string[]): Promise<SchemaVersion> {
  // knex_migrations lives in the connection's schema (PostgreSQL's search_path, SQLite's only one).
  const applied = (await db.schema.hasTable("knex_migrations"))
    ? (await db("knex_migrations").select("name")).map((row: { name: string }) => row.name)
    : [];
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  return {
    pending: known.filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !knownSet.has(name)),
    empty: applied.length === 0,
  };
}

/** Throws SchemaMismatchError unless the database has exactly the migrations this build knows. */
export function requireSchema(version: SchemaVersion, { allowPending }: { allowPending: boolean }): void {
  if (version.unknown.length > 0) throw new SchemaMismatchError("newer", version.unknown);
  if (allowPending) return;
  if (version.empty) throw new SchemaMismatchError("uninitialised", []);
  if (version.pending.length > 0) throw new SchemaMismatchError("behind", version.pending);
}
