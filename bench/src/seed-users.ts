import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { openDatabase, userContent, type DatabaseLocation } from "@scimgw/directory";
import { UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";

/** Rows per transaction: big enough that commits are no cost, small enough that SQLite's WAL stays small. */
const rowsPerTransaction = 20_000;

/**
 * One multi-row VALUES statement per 1,000 rows: 12,000 bound values, under SQLite's 32,766 and
 * PostgreSQL's 65,535. (Knex's own batch insert on SQLite is a compound SELECT, capped at 500 terms.)
 */
const rowsPerStatement = 1000;

async function insertRows(trx: Knex.Transaction, rows: Array<Record<string, unknown>>): Promise<void> {
  const columns = Object.keys(rows[0] ?? {});
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  await trx.raw(`insert into ?? (${columns.map(() => "??").join(", ")}) values ${rows.map(() => tuple).join(", ")}`, [
    "users",
    ...columns,
    ...rows.flatMap((row) => columns.map((column) => row[column] as Knex.Value)),
  ]);
}

/** The userName of the i-th seeded user of a tenant seeded with this prefix. */
export function seededUserName(prefix: string, index: number): string {
  return `${prefix}${index}@example.com`;
}

/**
 * Writes `count` users straight into the product's database: the rows the directory's user store
 * writes for a create (its own userContent()), a second apart in creation order, in transactions
 * of 20,000. Creating a large tenant one request at a time would measure nothing but the seeding.
 * Writes no change events or activity entries: the measured workloads read users, not those.
 * Returns the ids in creation order.
 */
export async function seedUsers(location: DatabaseLocation, tenantId: string, count: number, prefix: string): Promise<string[]> {
  const db = openDatabase(location);
  const ids: string[] = [];
  // In the past, so users created by the workloads come after the seeded ones, as they would.
  const firstCreated = Date.UTC(2020, 0, 1);
  try {
    for (let start = 0; start < count; start += rowsPerTransaction) {
      const rows: Array<Record<string, unknown>> = [];
      for (let i = start; i < Math.min(count, start + rowsPerTransaction); i++) {
        const id = randomUUID();
        ids.push(id);
        const at = new Date(firstCreated + i * 1000).toISOString();
        const user = create(UserSchema, {
          userName: seededUserName(prefix, i),
          name: { givenName: "Bench", familyName: `User ${i}` },
          displayName: `Bench User ${i}`,
          emails: [{ value: seededUserName(prefix, i), type: "work", primary: true }],
          active: true,
        });
        rows.push({ tenant_id: tenantId, id, ...userContent(user), password_hash: null, version: 1, created_at: at, last_modified: at });
      }
      await db.transaction(async (trx) => {
        for (let chunk = 0; chunk < rows.length; chunk += rowsPerStatement)
          await insertRows(trx, rows.slice(chunk, chunk + rowsPerStatement));
      });
    }
    // Fresh statistics, so PostgreSQL plans the measured queries for the size they run at.
    if (location.kind === "postgres") await db.raw("analyze users");
  } finally {
    await db.destroy();
  }
  return ids;
}
