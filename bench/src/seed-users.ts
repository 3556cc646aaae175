import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { createTenantStore, openDatabase, userContent, type DatabaseLocation } from "@scimgw/directory";
import { UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";

/** Rows per transaction: big enough that commits are no cost, small enough that SQLite's WAL stays small. */
const rowsPerTransaction = 20_000;

/**
 * SQLite: one multi-row VALUES statement per 1,000 rows, 12,000 bound values, under SQLite's
 * 32,766. (Knex's own batch insert on SQLite is a compound SELECT, capped at 500 terms.)
 */
const rowsPerValuesStatement = 1000;

/** A users row, column name → value, as the directory's user store writes it. */
type UsersRow = Record<string, unknown>;

/** The userName of the i-th seeded user of a tenant seeded with this prefix. */
export function seededUserName(prefix: string, index: number): string {
  return `${prefix}${index}@example.com`;
}

// In the past, so users created by the workloads come after the seeded ones, as they would.
const firstCreated = Date.UTC(2020, 0, 1);

/** The rows of the users from index `from` (included) to `to` (excluded), a second apart. */
function buildRows(tenantId: string, prefix: string, from: number, to: number): UsersRow[] {
  const rows: UsersRow[] = [];
  for (let i = from; i < to; i++) {
    const at = new Date(firstCreated + i * 1000).toISOString();
    const user = create(UserSchema, {
      userName: seededUserName(prefix, i),
      name: { givenName: "Bench", familyName: `User ${i}` },
      displayName: `Bench User ${i}`,
      emails: [{ value: seededUserName(prefix, i), type: "work", primary: true }],
      active: true,
    });
    rows.push({
      tenant_id: tenantId,
      id: randomUUID(),
      ...userContent(user),
      password_hash: null,
      version: 1,
      created_at: at,
      last_modified: at,
    });
  }
  return rows;
}

async function insertValues(trx: Knex.Transaction, rows: UsersRow[]): Promise<void> {
  for (let first = 0; first < rows.length; first += rowsPerValuesStatement) {
    const statementRows = rows.slice(first, first + rowsPerValuesStatement);
    const columns = Object.keys(statementRows[0] ?? {});
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    await trx.raw(`insert into ?? (${columns.map(() => "??").join(", ")}) values ${statementRows.map(() => tuple).join(", ")}`, [
      "users",
      ...columns,
      ...statementRows.flatMap((row) => columns.map((column) => row[column] as Knex.Value)),
    ]);
  }
}

/** The type of each column of the users table, as PostgreSQL's catalog states it. */
async function usersColumnTypes(db: Knex): Promise<Map<string, string>> {
  const { rows } = await db.raw<{ rows: Array<{ name: string; type: string }> }>(
    "select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'users'::regclass and attnum > 0 and not attisdropped",
  );
  return new Map(rows.map(({ name, type }) => [name, type]));
}

/**
 * PostgreSQL: all the rows in one statement, each column one parameter, a JSON array unnested
 * beside the others and cast from text to the column's type (the same input conversion as a bound
 * value). A JSON array because JSON.stringify is native: node-postgres builds an array literal
 * (`$1::text[]`) in JavaScript, which cost more than the VALUES list it replaced. One statement
 * is parsed once, whatever the number of rows, with no 65,535-parameter limit.
 */
async function insertColumns(trx: Knex.Transaction, rows: UsersRow[], columnTypes: Map<string, string>): Promise<void> {
  const columns = Object.keys(rows[0] ?? {});
  const casts = columns.map((column) => {
    const type = columnTypes.get(column);
    if (type === undefined) throw new Error(`the users table has no column ${column}`);
    return `??::${type}`;
  });
  await trx.raw(
    `insert into ?? (${columns.map(() => "??").join(", ")}) select ${casts.join(", ")} from rows from (${columns.map(() => "json_array_elements_text(?::json)").join(", ")}) as unnested(${columns.map(() => "??").join(", ")})`,
    ["users", ...columns, ...columns, ...columns.map((column) => JSON.stringify(rows.map((row) => row[column]))), ...columns],
  );
}

/**
 * Writes `count` users straight into the product's database: the rows the directory's user store
 * writes for a create (its own userContent()), a second apart in creation order, in transactions
 * of 20,000. Creating a large tenant one request at a time would measure nothing but the seeding.
 * Writes no change events or activity entries (the measured workloads read users, not those), and
 * moves the tenant's user count as the creates would.
 * Returns the ids in creation order.
 */
export async function seedUsers(location: DatabaseLocation, tenantId: string, count: number, prefix: string): Promise<string[]> {
  const db = openDatabase(location);
  const ids: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  try {
    const columnTypes = location.kind === "postgres" ? await usersColumnTypes(db) : undefined;
    for (let from = 0; from < count; from += rowsPerTransaction) {
      // Built while the database writes the batch before (in one statement on PostgreSQL, so all of
      // it): building costs as much CPU as writing, and the two run on different cores.
      const rows = buildRows(tenantId, prefix, from, Math.min(count, from + rowsPerTransaction));
      for (const row of rows) ids.push(row.id as string);
      await writing;
      writing = db.transaction(async (trx) => {
        await (columnTypes === undefined ? insertValues(trx, rows) : insertColumns(trx, rows, columnTypes));
      });
    }
    await writing;
    // Rows written around the store: the tenant's kept counts are recounted from them.
    await createTenantStore(db).recountResources(tenantId);
    // Fresh statistics, so PostgreSQL plans the measured queries for the size they run at.
    if (location.kind === "postgres") await db.raw("analyze users");
  } finally {
    // A batch still being written when building failed: let it end before closing its connection.
    await Promise.allSettled([writing]);
    await db.destroy();
  }
  return ids;
}
