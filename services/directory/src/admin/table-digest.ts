import { createHash } from "node:crypto";
import type { Knex } from "knex";
import { defaultBatchSize, readInBatches, type CopiedTable, type Row } from "./copied-tables.js";

export interface TableDigest {
  rows: number;
  /** 64 hex digits; equal on two databases exactly when they hold the same rows (see digestTable). */
  digest: string;
}

const modulus = 2n ** 256n;

/** JSON with every object's keys sorted: the same document gives the same text whatever the store. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonicalJson((value as Row)[key])]),
  );
}

/**
 * One row as text: columns by name, values with their normalised JSON types (true, 3, null, "…"),
 * and JSON documents by value, since jsonb keeps neither key order nor spacing.
 */
function serialiseRow(table: CopiedTable, row: Row): string {
  const comparable = (column: string) => {
    const value = row[column];
    return table.jsonColumns.includes(column) && typeof value === "string" ? canonicalJson(JSON.parse(value)) : value;
  };
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((column) => [column, comparable(column)]),
  );
}

/**
 * A fingerprint of a table's content: the sum, modulo 2^256, of each row's SHA-256. A sum does not
 * depend on the order rows come in, which matters because PostgreSQL sorts text by the column's
 * collation and SQLite by bytes, so the two stores need not list a table in the same order.
 * It detects copying mistakes (a row lost, added or altered), not deliberate forgeries.
 */
export async function digestTable(db: Knex, table: CopiedTable, batchSize = defaultBatchSize): Promise<TableDigest> {
  let rows = 0;
  let sum = 0n;
  for await (const batch of readInBatches(db, table, batchSize)) {
    for (const row of batch) {
      sum = (sum + BigInt(`0x${createHash("sha256").update(serialiseRow(table, row)).digest("hex")}`)) % modulus;
      rows += 1;
    }
  }
  return { rows, digest: sum.toString(16).padStart(64, "0") };
}
