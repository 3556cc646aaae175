import { invalidArgument } from "../errors/directory-errors.js";

/** The most keys one BatchGetUsers or BatchGetGroups call may name. */
export const maxBatchKeys = 1000;

/** Keys bound per query: SQLite allows 32,766 bound values and PostgreSQL 65,535; stay well below. */
export const keysPerQuery = 500;

/**
 * The one key a Get request names, of several optional ones (proto3 strings: empty is unset).
 * Exactly one must be set, so a caller can never mean one user and read another.
 */
export function exactlyOneKey<Name extends string>(fields: Record<Name, string>): { name: Name; value: string } {
  // Truthiness, not `!== ""`: in-process callers may hand over plain objects without the field.
  const set = (Object.entries(fields) as Array<[Name, string]>).filter(([, value]) => Boolean(value));
  const names = Object.keys(fields);
  if (set.length !== 1) {
    const got = set.length === 0 ? "none is" : `${set.map(([name]) => name).join(" and ")} are`;
    throw invalidArgument(`exactly one of ${names.slice(0, -1).join(", ")} and ${names.at(-1)} must be set; ${got}`);
  }
  const [[name, value]] = set as [[Name, string]];
  return { name, value };
}

/** How one kind of key finds rows. */
export interface KeyLookup<Row> {
  /** The key in the form the column holds: folded for case-insensitive attributes. */
  normalize(key: string): string;
  /** The rows holding any of these normalized keys, in creation order, as one query. */
  fetch(normalizedKeys: string[]): Promise<Row[]>;
  /** The normalized key a fetched row holds. */
  keyOf(row: Row): string;
  idOf(row: Row): string;
}

/**
 * Finds the rows for a batch of keys with one query per keysPerQuery distinct keys. Rows come
 * back in the order of the first key that matched them, each once (two spellings of one userName,
 * or one user found by two keys, still yield it once); keys that matched nothing are returned as
 * given, each once, in request order.
 */
export async function lookUpBatch<Row>(keys: readonly string[], lookup: KeyLookup<Row>): Promise<{ found: Row[]; missing: string[] }> {
  if (keys.length > maxBatchKeys) throw invalidArgument(`keys holds ${keys.length} keys; at most ${maxBatchKeys} per call`);
  const empty = keys.indexOf("");
  if (empty >= 0) throw invalidArgument(`keys[${empty}] is empty; every key must be non-empty`);
  const given = [...new Set(keys)];
  const normalized = [...new Set(given.map((key) => lookup.normalize(key)))];
  const byKey = new Map<string, Row[]>();
  for (let start = 0; start < normalized.length; start += keysPerQuery) {
    for (const row of await lookup.fetch(normalized.slice(start, start + keysPerQuery))) {
      const key = lookup.keyOf(row);
      const rows = byKey.get(key);
      if (rows === undefined) byKey.set(key, [row]);
      else rows.push(row);
    }
  }
  const found: Row[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  for (const key of given) {
    const rows = byKey.get(lookup.normalize(key));
    if (rows === undefined) {
      missing.push(key);
      continue;
    }
    for (const row of rows) {
      if (seen.has(lookup.idOf(row))) continue;
      seen.add(lookup.idOf(row));
      found.push(row);
    }
  }
  return { found, missing };
}
