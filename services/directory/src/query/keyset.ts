import type { SortDirection } from "./sort-direction.js";
import type { SqlCondition } from "./sql-condition.js";

/** One column of a keyset order: the sort key, then the tie-breakers down to the unique id. */
export interface KeysetColumn {
  /** The column as a row object names it. */
  column: string;
  /** The column as SQL names it, quoted and, where a join needs it, qualified. */
  sql: string;
  descending: boolean;
  nullable: boolean;
}

/** Where a page ended: the last row's value of each keyset column, in order. */
export type KeysetPosition = ReadonlyArray<string | null>;

/** A sortable column, before a direction is chosen. */
export type SortColumn = Pick<KeysetColumn, "column" | "sql" | "nullable">;

/**
 * The keyset for a sort: the sort column in its direction, then creation order and id
 * ascending, exactly the ORDER BY of offset paging (compile-user-sort.ts), so both modes list in one
 * order. A column already in the key is not repeated: (created_at, id) stays two columns.
 */
export function keysetOf(sorted: SortColumn | undefined, order: SortDirection, createdAt: SortColumn, id: SortColumn): KeysetColumn[] {
  const columns: KeysetColumn[] = [];
  const add = (column: SortColumn, descending: boolean) => {
    if (!columns.some((present) => present.column === column.column)) columns.push({ ...column, descending });
  };
  if (sorted !== undefined) add(sorted, order === "descending");
  add(createdAt, false);
  add(id, false);
  return columns;
}

/** ORDER BY terms; unassigned values sort last ascending and first descending, as in offset paging. */
export function keysetOrderBy(columns: readonly KeysetColumn[]): string[] {
  return columns.map(
    ({ sql, descending, nullable }) =>
      `${sql} ${descending ? "DESC" : "ASC"}${nullable ? (descending ? " NULLS FIRST" : " NULLS LAST") : ""}`,
  );
}

/** Rows whose value of one column sorts strictly after `value`; undefined when none can. */
function strictlyAfter({ sql, descending, nullable }: KeysetColumn, value: string | null): SqlCondition | undefined {
  // NULL sorts as the largest value both ways (NULLS LAST ascending, NULLS FIRST descending).
  if (value === null) return descending ? { sql: `${sql} IS NOT NULL`, bindings: [] } : undefined;
  const comparison = { sql: `${sql} ${descending ? "<" : ">"} ?`, bindings: [value] };
  return nullable && !descending ? { sql: `(${comparison.sql} OR ${sql} IS NULL)`, bindings: comparison.bindings } : comparison;
}

function sameAs({ sql }: KeysetColumn, value: string | null): SqlCondition {
  return value === null ? { sql: `${sql} IS NULL`, bindings: [] } : { sql: `${sql} = ?`, bindings: [value] };
}

/** (k1 after v1) OR (k1 = v1 AND (k2 after v2 OR ...)) over columns[from..]; undefined when no row can follow. */
function after(columns: readonly KeysetColumn[], position: KeysetPosition, from: number): SqlCondition | undefined {
  let condition: SqlCondition | undefined;
  // Built from the last column inwards, so each condition nests the ones after it.
  for (const [index, column] of [...columns.entries()].slice(from).reverse()) {
    const value = position[index] ?? null;
    const later = strictlyAfter(column, value);
    const same = sameAs(column, value);
    const tied =
      condition === undefined
        ? undefined
        : { sql: `(${same.sql} AND ${condition.sql})`, bindings: [...same.bindings, ...condition.bindings] };
    condition =
      later === undefined
        ? tied
        : tied === undefined
          ? later
          : { sql: `(${later.sql} OR ${tied.sql})`, bindings: [...later.bindings, ...tied.bindings] };
  }
  return condition;
}

function both(left: SqlCondition, right: SqlCondition | undefined): SqlCondition {
  return right === undefined ? left : { sql: `(${left.sql} AND ${right.sql})`, bindings: [...left.bindings, ...right.bindings] };
}

/**
 * k >= v (k <= v descending): implied by the exact condition but, unlike it, a range an index
 * can start from. Not for a nullable ascending column, whose NULLs sort after v yet fail k >= v.
 */
function bound(column: KeysetColumn | undefined, value: string | null | undefined): SqlCondition | undefined {
  if (column === undefined || value === null || value === undefined || (column.nullable && !column.descending)) return undefined;
  return { sql: `${column.sql} ${column.descending ? "<=" : ">="} ?`, bindings: [value] };
}

/**
 * The rows after a position in keyset order (from the start when there is none), as conditions
 * whose results, each in keyset order and read one after the other, are exactly those rows in
 * order. Each is a range of one index, so a page reads from the position on, at any depth:
 * - the first column is bounded (k1 >= v1) besides the exact expanded condition, which the
 *   stores cannot start an index range from on its own (directions mix, so no row values);
 * - on a nullable first column the unassigned rows are a range of their own (k1 IS NULL), read
 *   before or after the assigned ones as the ORDER BY puts them, instead of an OR that would
 *   make both stores scan the tenant from its start.
 * Comparisons use the columns' own collations (BINARY on SQLite, "C" on PostgreSQL), the ones
 * their ORDER BY uses.
 */
export function keysetRanges(columns: readonly KeysetColumn[], position: KeysetPosition | undefined): SqlCondition[] {
  const [first] = columns;
  if (first === undefined) return [{ sql: "1 = 1", bindings: [] }];
  const assigned = { sql: `${first.sql} IS NOT NULL`, bindings: [] };
  const unassigned = { sql: `${first.sql} IS NULL`, bindings: [] };
  if (position === undefined) {
    if (!first.nullable) return [{ sql: "1 = 1", bindings: [] }];
    return first.descending ? [unassigned, assigned] : [assigned, unassigned];
  }
  const value = position[0] ?? null;
  const rest = after(columns, position, 1);
  if (value === null) {
    // Within the unassigned rows (bounded on the next column, so a store may read them through
    // the creation-order index); descending, the assigned ones all follow.
    const next = bound(columns[1], position[1]);
    const tied = rest === undefined ? [] : [both(unassigned, next === undefined ? rest : both(next, rest))];
    return first.descending ? [...tied, assigned] : tied;
  }
  // Assigned rows only, so the bound holds whatever the column's nullability.
  const from = { sql: `${first.sql} ${first.descending ? "<=" : ">="} ?`, bindings: [value] };
  const later = { sql: `${first.sql} ${first.descending ? "<" : ">"} ?`, bindings: [value] };
  const tied = rest === undefined ? undefined : both({ sql: `${first.sql} = ?`, bindings: [value] }, rest);
  const assignedAfter = both(
    from,
    tied === undefined ? later : { sql: `(${later.sql} OR ${tied.sql})`, bindings: [...later.bindings, ...tied.bindings] },
  );
  return first.nullable && !first.descending ? [assignedAfter, unassigned] : [assignedAfter];
}

/** The position of a row, to resume after it. */
export function positionOf(columns: readonly KeysetColumn[], row: object): KeysetPosition {
  return columns.map(({ column }) => {
    const value = (row as Record<string, unknown>)[column];
    return value === null || value === undefined ? null : String(value);
  });
}
