import type { Knex } from "knex";

/** A table that copy-store copies, described as far as copying it portably needs. */
export interface CopiedTable {
  name: string;
  /** The primary key's columns in index order: rows are read in this order, one batch at a time. */
  primaryKey: readonly string[];
  /** Boolean columns, which SQLite returns as 0/1 and PostgreSQL as true/false. */
  booleanColumns: readonly string[];
  /** bigint columns, which PostgreSQL returns as strings and SQLite as numbers. */
  integerColumns: readonly string[];
  /**
   * JSON documents: jsonb on PostgreSQL, which the driver returns parsed (keys in jsonb's own
   * order), and text on SQLite. They are copied as JSON text, which both accept.
   */
  jsonColumns: readonly string[];
}

/**
 * Everything the directory stores, in foreign-key order (a table after the tables it references),
 * so that every batch inserts without a dangling reference. Each new table (groups, memberships,
 * the change-feed history…) must be added here, in that order, and filled by copy-store.test.ts;
 * that test fails while a migrated table, or a table's key or typed columns, differ from this list.
 */
export const copiedTables: readonly CopiedTable[] = [
  {
    name: "tenants",
    primaryKey: ["id"],
    booleanColumns: [],
    integerColumns: [
      "last_change_seq",
      "rate_limit_per_second",
      "rate_limit_burst",
      "last_activity_seq",
      "schema_revision",
      "user_count",
      "group_count",
    ],
    jsonColumns: [],
  },
  { name: "api_keys", primaryKey: ["tenant_id", "id"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  { name: "users", primaryKey: ["tenant_id", "id"], booleanColumns: ["active"], integerColumns: ["version"], jsonColumns: ["search"] },
  {
    name: "user_assignments",
    primaryKey: ["tenant_id", "attribute", "value_key", "created_at", "user_id", "type_key"],
    booleanColumns: [],
    integerColumns: [],
    jsonColumns: [],
  },
  { name: "groups", primaryKey: ["tenant_id", "id"], booleanColumns: [], integerColumns: ["version"], jsonColumns: ["search"] },
  { name: "group_members", primaryKey: ["tenant_id", "group_id", "member_id"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  {
    name: "change_events",
    primaryKey: ["tenant_id", "seq"],
    booleanColumns: ["active"],
    integerColumns: ["seq", "version"],
    jsonColumns: [],
  },
  { name: "service_credentials", primaryKey: ["id"], booleanColumns: ["all_tenants"], integerColumns: [], jsonColumns: [] },
  {
    name: "service_credential_tenants",
    primaryKey: ["tenant_id", "credential_id"],
    booleanColumns: [],
    integerColumns: [],
    jsonColumns: [],
  },
  {
    name: "entitlement_types",
    primaryKey: ["tenant_id", "name_key"],
    booleanColumns: [],
    integerColumns: ["version"],
    jsonColumns: [],
  },
  {
    name: "entitlements",
    primaryKey: ["tenant_id", "type_key", "id"],
    booleanColumns: [],
    integerColumns: ["version"],
    jsonColumns: [],
  },
  { name: "schema_extensions", primaryKey: ["tenant_id", "id_key"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  {
    name: "unique_attribute_values",
    primaryKey: ["tenant_id", "resource_type", "attribute", "value_key"],
    booleanColumns: [],
    integerColumns: [],
    jsonColumns: [],
  },
  {
    name: "activity_entries",
    primaryKey: ["tenant_id", "seq"],
    booleanColumns: [],
    integerColumns: ["seq", "status", "status_class"],
    jsonColumns: [],
  },
  { name: "setup_links", primaryKey: ["tenant_id", "id"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  { name: "operators", primaryKey: ["id"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  { name: "operator_sessions", primaryKey: ["token_sha256"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
  { name: "operator_sign_in_failures", primaryKey: ["id"], booleanColumns: [], integerColumns: [], jsonColumns: [] },
];

export type Row = Record<string, unknown>;

/** Rows per read and per insert: few round trips, and far below every driver's parameter limit. */
export const defaultBatchSize = 500;

function toSafeInteger(value: unknown, column: string): number {
  const number = Number(value);
  // A version past 2^53 would silently lose its last digits as a JavaScript number.
  if (!Number.isSafeInteger(number)) throw new RangeError(`${column} ${String(value)} is not an integer that can be copied exactly`);
  return number;
}

/**
 * A row as every store accepts it: booleans as true/false, bigints as numbers, JSON as text, the
 * rest (text, NULL) as read.
 */
export function normaliseRow(table: CopiedTable, row: Row): Row {
  const normalised = { ...row };
  // `!= null` leaves NULLs as they are, and passes over a listed column that a row lacks.
  for (const column of table.booleanColumns) {
    if (row[column] != null) normalised[column] = Boolean(row[column]);
  }
  for (const column of table.integerColumns) {
    if (row[column] != null) normalised[column] = toSafeInteger(row[column], `${table.name}.${column}`);
  }
  for (const column of table.jsonColumns) {
    if (row[column] != null && typeof row[column] !== "string") normalised[column] = JSON.stringify(row[column]);
  }
  return normalised;
}

/**
 * Every row of a table, normalised, a batch at a time in primary-key order. Each batch starts after
 * the last key of the one before (keyset paging), so no table is ever held in memory whole and each
 * query is one index range scan, however far into the table it is.
 */
export async function* readInBatches(db: Knex | Knex.Transaction, table: CopiedTable, batchSize: number): AsyncGenerator<Row[]> {
  const key = table.primaryKey;
  const keyTuple = `(${key.map(() => "??").join(", ")})`;
  const valueTuple = `(${key.map(() => "?").join(", ")})`;
  let lastKey: Knex.Value[] | undefined;
  for (;;) {
    const query = db(table.name)
      .select("*")
      .orderBy([...key])
      .limit(batchSize);
    if (lastKey !== undefined) query.whereRaw(`${keyTuple} > ${valueTuple}`, [...key, ...lastKey]);
    const rows: Row[] = await query;
    if (rows.length > 0) yield rows.map((row) => normaliseRow(table, row));
    const last = rows.at(-1);
    if (last === undefined || rows.length < batchSize) return;
    lastKey = key.map((column) => last[column] as Knex.Value);
  }
}
