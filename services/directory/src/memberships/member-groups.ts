import type { Dialect } from "../database/open-database.js";
import type { SqlCondition } from "../query/sql-condition.js";

/** One of a member's groups, as User.groups reports it. */
export interface MemberGroup {
  value: string;
  display: string;
  type: "direct" | "indirect";
}

/**
 * How each dialect folds the rows of a member's groups into one JSON value, in their order. An
 * ORDER BY inside the aggregate is what makes the order certain: SQLite has it since 3.44 (the
 * pinned sqlite3 bundles 3.52), PostgreSQL since 9.0.
 */
const groupsAggregate: Record<Dialect, (element: string, order: string) => string> = {
  sqlite: (element, order) => `json_group_array(json_array(${element}) ORDER BY ${order})`,
  // json_agg of no rows is NULL, where SQLite's json_group_array gives [].
  postgres: (element, order) => `coalesce(json_agg(json_build_array(${element}) ORDER BY ${order}), '[]')`,
};

/**
 * group_members read by member, through the index that leads with the member. SQLite has no
 * statistics (nothing runs ANALYZE) and, guessing that tenant_id alone is selective, chose the
 * covering primary key (tenant, group, member) on tenant_id alone, and in the recursion put
 * group_members outside the queue of groups found: either way it read every membership of the
 * tenant, 60–115 ms per user in a tenant with a group of 100,000 members against 0.7 ms. INDEXED BY
 * makes the statement fail to prepare, rather than scan, if the index ever goes missing; the
 * recursion's CROSS JOIN keeps SQLite's loop order (PostgreSQL plans it as any inner join).
 */
const membershipsByMember: Record<Dialect, (alias: string) => string> = {
  sqlite: (alias) => `group_members AS ${alias} INDEXED BY group_members_tenant_member_index`,
  postgres: (alias) => `group_members AS ${alias}`,
};

/**
 * The SQL expressions of one of a member's groups, over the row `g` of the groups table: what
 * User.groups shows of it (RFC 7643 §4.1.2), and the folded display name it is ordered and
 * compared by (displayName is caseExact false, RFC 7643 §4.2; display_name_key holds it folded by
 * the SCIM core's own rule).
 */
export interface MemberGroupColumns {
  /** groups.value: the group's id (a lowercase UUID, so already its own folded form). */
  readonly value: string;
  /** groups.display, as shown. */
  readonly display: string;
  /** groups.display folded, for comparisons and order. */
  readonly displayKey: string;
  /** Whether the member is in the group itself rather than through a nested group. */
  readonly direct: string;
  /** groups.type: "direct" or "indirect", as text compared by code point on both stores. */
  readonly type: string;
}

function memberGroupColumns(dialect: Dialect, member: string): MemberGroupColumns {
  const direct = `EXISTS (SELECT 1 FROM group_members d WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id AND d.member_id = ${member}.id)`;
  // A literal takes the database's collation on PostgreSQL; the columns are "C" (byteOrderedText).
  const collate = dialect === "postgres" ? ' COLLATE "C"' : "";
  return {
    value: "g.id",
    display: "g.display_name",
    displayKey: "g.display_name_key",
    direct,
    type: `(CASE WHEN ${direct} THEN 'direct' ELSE 'indirect' END)${collate}`,
  };
}

/**
 * The one definition of a member's groups, which User.groups shows and `groups` filters read:
 * the groups of the member row `member` (a table or alias with tenant_id and id), direct and
 * through nested groups at any depth, as `SELECT <select> FROM <those groups, as g> <rest>`. The
 * recursion walks group_members by member, through the (tenant, member) index, from the member
 * upwards, so it reads the member's own memberships and never a whole group or tenant. It collects
 * groups with UNION, which drops one already found, so a cycle of groups ends once its groups are
 * all found; `direct` is then one primary-key lookup per group.
 */
function memberGroupRows(
  dialect: Dialect,
  member: string,
  select: (columns: MemberGroupColumns) => string,
  rest: (columns: MemberGroupColumns) => string = () => "",
): string {
  const columns = memberGroupColumns(dialect, member);
  return `WITH RECURSIVE ancestry(group_id) AS (
      SELECT m.group_id FROM ${membershipsByMember[dialect]("m")} WHERE m.tenant_id = ${member}.tenant_id AND m.member_id = ${member}.id
      UNION
      SELECT parent.group_id FROM ancestry a CROSS JOIN ${membershipsByMember[dialect]("parent")}
        WHERE parent.tenant_id = ${member}.tenant_id AND parent.member_id = a.group_id
    )
    SELECT ${select(columns)}
      FROM ancestry a JOIN groups g ON g.tenant_id = ${member}.tenant_id AND g.id = a.group_id${rest(columns)}`;
}

/** The order User.groups lists a member's groups in: folded displayName, then id. */
const listOrder = (g: MemberGroupColumns) => `${g.displayKey}, ${g.value}`;

/**
 * User.groups of the member row `member` as a scalar subquery: a JSON array of
 * [id, displayName, direct] ordered by folded displayName then id, identically on both stores.
 * A statement that selects users selects their groups with it, so GetUser and a `userName eq`
 * lookup are one statement, not one for the user and one for its groups.
 */
export function memberGroupsSql(dialect: Dialect, member: string): string {
  return `(${memberGroupRows(dialect, member, (g) => groupsAggregate[dialect](`${g.value}, ${g.display}, ${g.direct}`, listOrder(g)))})`;
}

/**
 * The groups memberGroupsSql selected: SQLite returns the JSON as text, PostgreSQL's driver parses
 * json itself; `direct` is 0/1 on SQLite and a boolean on PostgreSQL.
 */
export function memberGroupsFromSql(value: string | Array<[string, string, number | boolean]>): MemberGroup[] {
  const rows: Array<[string, string, number | boolean]> = typeof value === "string" ? JSON.parse(value) : value;
  return rows.map(([id, displayName, direct]) => ({ value: id, display: displayName, type: direct ? "direct" : "indirect" }));
}

/**
 * Whether some group of the member row `member`, as memberGroupsSql lists them, satisfies
 * `condition`: an EXISTS over the same rows, so a filter on User.groups answers from exactly the
 * groups the user's representation shows (RFC 7644 §3.4.2.2: some value matches).
 */
export function someMemberGroup(dialect: Dialect, member: string, condition: (columns: MemberGroupColumns) => SqlCondition): SqlCondition {
  const inner = condition(memberGroupColumns(dialect, member));
  // The recursion binds nothing, so the condition's bindings are the statement's, in order.
  return {
    sql: `EXISTS (${memberGroupRows(
      dialect,
      member,
      () => "1",
      () => ` WHERE ${inner.sql}`,
    )})`,
    bindings: inner.bindings,
  };
}

/**
 * One column of the member's first group as memberGroupsSql lists them, as a scalar subquery (NULL
 * for a member of no group): what sortBy on User.groups orders by, since RFC 7644 §3.4.2.3 sorts a
 * multi-valued attribute by its primary value, else its first, and groups have no primary.
 */
export function firstMemberGroup(dialect: Dialect, member: string, column: keyof MemberGroupColumns): string {
  return `(${memberGroupRows(
    dialect,
    member,
    (g) => g[column],
    (g) => ` ORDER BY ${listOrder(g)} LIMIT 1`,
  )})`;
}

/**
 * `member IN` the members of one group at any depth, for `groups.value eq "<id>"` (and `groups eq`):
 * the same answer as someMemberGroup's EXISTS — the user is in the group, or in a group nested in
 * it, exactly when the group is among the groups its representation lists — but walked down from
 * the one group through the primary key (tenant, group, member) once per statement, instead of up
 * from every user of the tenant (an EXISTS per user, which read every user's memberships). Only
 * member groups are walked into; UNION ends a cycle. `groupId` is the condition's comparison of
 * `m.group_id`, built by the filter compiler (so the literal is folded by its rule).
 */
export function memberOfGroupAtAnyDepth(member: string, tenantId: string, groupId: (column: string) => SqlCondition): SqlCondition {
  const anchor = groupId("m.group_id");
  return {
    sql: `${member}.id IN (WITH RECURSIVE descendants(member_id, member_type) AS (
      SELECT m.member_id, m.member_type FROM group_members m WHERE m.tenant_id = ? AND ${anchor.sql}
      UNION
      SELECT c.member_id, c.member_type FROM descendants d CROSS JOIN group_members c
        WHERE d.member_type = 'Group' AND c.tenant_id = ? AND c.group_id = d.member_id
    ) SELECT member_id FROM descendants WHERE member_type = 'User')`,
    bindings: [tenantId, ...anchor.bindings, tenantId],
  };
}
