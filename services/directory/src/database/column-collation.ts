import type { Knex } from "knex";
import { dialectOf } from "./open-database.js";

/**
 * Makes text columns compare and sort by code point on PostgreSQL, as SQLite's default BINARY
 * collation does, so `gt`/`lt` filters, LIKE and ORDER BY give the same answers on both stores
 * whatever collation the PostgreSQL database was created with (en_US.UTF-8 ignores punctuation
 * and case at first level; "C" never does). Case-insensitive attributes are compared through
 * folded key columns, so byte order is exactly what they need.
 */
export async function byteOrderedText(db: Knex, table: string, columns: readonly string[]): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  for (const column of columns) {
    await db.raw('alter table ?? alter column ?? type text collate "C"', [table, column]);
  }
}
