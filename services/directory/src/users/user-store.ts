import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { GroupMembershipSchema, type User } from "@scimgw/proto";
import { memberGroupsFromSql, memberGroupsSql } from "../memberships/member-groups.js";
import { memberships } from "../memberships/membership-store.js";
import { changedAttributes, recordChanges, userChangeKind } from "../changes/change-log.js";
import { refuseStaleSchema } from "../tenants/tenant-row-claim.js";
import { defaultActivityOptions, writeActivityRow, type ActivityOptions, type WriteCall } from "../activity/write-activity.js";
import { userFromProto, userToProto } from "@scimgw/scim-proto";
import { keepImmutableValues, urn, userResourceType, type AttributePath, type Filter, type ResourceTypeDefinition } from "@scimgw/scim";
import { createTenantSchemaCache, type TenantSchemaCache } from "../schemas/tenant-schema-cache.js";
import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { deleteUniqueValues, replaceUniqueValues, uniqueValuesOf } from "../uniqueness/unique-attribute-values.js";
import { dialectOf } from "../database/open-database.js";
import { reusePlan } from "../database/reused-statements.js";
import { nowIso } from "../database/timestamps.js";
import { writeTransaction } from "../database/write-transaction.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { ambiguousExternalId, nothingDeleted, notFound, uniquenessViolation, versionMismatch } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { keysetOrderBy, keysetRanges, positionOf, type KeysetColumn, type KeysetPosition } from "../query/keyset.js";
import { pageByOffset, totalOfOffsetPage, type KeysetPage } from "../query/list-paging.js";
import {
  changeSequenceColumn,
  changeSequenceOfPage,
  offsetPositionsOf,
  type ChangeSequenceRow,
  type OffsetPositions,
} from "../query/offset-positions.js";
import { externalIdKey } from "../query/external-id-key.js";
import { keysPerQuery, lookUpBatch } from "../query/lookup-by-key.js";
import type { SortDirection } from "../query/sort-direction.js";
import type { SqlCondition } from "../query/sql-condition.js";
import { compileUserFilter } from "./compile-user-filter.js";
import { compileUserSort, offsetKeyset } from "./compile-user-sort.js";
import { hashPassword, verifyPassword } from "./password-hash.js";
import { userNameKey } from "./user-name-key.js";
import { userContent, userFromRow, type UserRow } from "./user-row.js";
import { assignmentDelta, noAssignmentCheck, type AssignmentCheck } from "./assignment-delta.js";
import {
  assignmentRowsOf,
  deleteUserAssignments,
  heldTypeKey,
  heldValueKey,
  holdsValue,
  insertUserAssignments,
  sameAssignments,
  type AssignmentAttribute,
} from "../search/user-assignments.js";

export interface UserSort {
  by: AttributePath;
  order: SortDirection;
}

export interface UserPage {
  users: User[];
  totalResults: number;
}

/** The attributes a user can be looked up by. */
export type UserKey = "id" | "userName" | "externalId";

/** The indexed column each key is held in, and the form the column holds it in. */
const keyColumns: Record<UserKey, { column: "id" | "user_name_key" | "external_id"; normalize(key: string): string }> = {
  id: { column: "id", normalize: (key) => key },
  userName: { column: "user_name_key", normalize: userNameKey },
  externalId: { column: "external_id", normalize: externalIdKey },
};

/**
 * The key a filter looks one user up by, when it is just `userName`, `id` or `externalId` eq a
 * string (what Okta and Entra send before they create or match a user); undefined for any other.
 */
export function uniqueKeyOf(filter: Filter | undefined): UserKey | undefined {
  if (filter?.kind !== "compare" || filter.operator !== "eq" || typeof filter.value !== "string") return undefined;
  const { schema, attribute, subAttribute } = filter.path;
  if (subAttribute !== undefined || (schema !== undefined && schema !== urn.user)) return undefined;
  return Object.hasOwn(keyColumns, attribute) ? (attribute as UserKey) : undefined;
}

/** A user's group as ListUserGroups reports it. */
export interface UserGroupView {
  groupId: string;
  displayName: string;
  direct: boolean;
}

/** A users row with its groups, as memberGroupsSql selects them. */
type UserRowWithGroups = UserRow & { member_groups: Parameters<typeof memberGroupsFromSql>[0] };

/** User.groups from the column memberGroupsSql selects. */
const groupsFromColumn = (value: UserRowWithGroups["member_groups"]) =>
  memberGroupsFromSql(value).map((group) => create(GroupMembershipSchema, group));

/** A user with its read-only `groups` (direct and nested) filled. */
function userWithGroupsFromRow(row: UserRowWithGroups): User {
  const user = userFromRow(row);
  user.groups = groupsFromColumn(row.member_groups);
  return user;
}

/** The order users are listed and looked up in when no sort is asked: creation, the id breaking ties. */
const creationOrder: readonly SqlCondition[] = [
  { sql: '"created_at" ASC', bindings: [] },
  { sql: '"id" ASC', bindings: [] },
];

/**
 * userKeyset(undefined), the users' listing order, as user_assignments holds it: a holder's
 * position is its user's (created_at, id), so holders pages and users pages share page tokens.
 */
const holderKeyset: readonly KeysetColumn[] = [
  { column: "created_at", sql: '"created_at"', descending: false, nullable: false },
  { column: "id", sql: '"user_id"', descending: false, nullable: false },
];

/** Rewrites a user, outside any transaction (it may run again after a lost race); may throw to abort the change. */
export type UserEdit = (current: User) => User | Promise<User>;

function duplicateUserName(userName: string) {
  return uniquenessViolation(
    `userName "${userName}" is already taken in this tenant (userName is compared case-insensitively)`,
    "userName",
  );
}

/**
 * How often an edit without If-Match is tried against concurrent writers: each round at least one
 * of them wins, so this many racing writers of one user all land (the tenant gate bounds them).
 */
const maxUpdateAttempts = 20;

/**
 * The tenant's users that match a filter, as one query (the filter compiled to SQL, never run in
 * memory), by the tenant's resource type (the built-in one for a tenant without extensions).
 */
export function matchingUsers(
  db: Knex,
  tenantId: string,
  filter: Filter | undefined,
  resourceType: ResourceTypeDefinition = userResourceType,
): Knex.QueryBuilder<UserRow> {
  const query = db<UserRow>("users").where("tenant_id", tenantId);
  if (filter !== undefined) {
    const condition = compileUserFilter(filter, dialectOf(db), tenantId, resourceType);
    query.andWhereRaw(condition.sql, condition.bindings as Knex.RawBinding[]);
  }
  return query;
}

/**
 * The users table of one database. Every method takes the tenant and every query is scoped by
 * it; lookups go through the (tenant_id, ...) indexes.
 */
export function createUserStore(
  db: Knex,
  activity: ActivityOptions = defaultActivityOptions,
  positions: OffsetPositions = offsetPositionsOf(db),
  /** Checks the entitlements and roles a write adds against the tenant's catalog, in the write's transaction. */
  checkAssignments: AssignmentCheck = noAssignmentCheck,
  /** Each tenant's resource types, for filters, sorts and writes not given theirs (WriteCall.schema). */
  schemas: TenantSchemaCache = createTenantSchemaCache(db, { revalidateAfterMs: 1000, maxTenants: 10_000 }),
) {
  const users = (trx: Knex | Knex.Transaction = db) => trx<UserRow>("users");
  const dialect = dialectOf(db);
  const groupsColumn = db.raw(`${memberGroupsSql(dialect, "users")} AS member_groups`);

  /**
   * The rows a users query selects, each with its groups, in `order` (the query's own): one
   * statement instead of one for the users and one for their groups. The query runs as a derived
   * table, so its plan is the one it has alone and only the rows it returns have their groups
   * read; the outer ORDER BY sorts those few rows again, as SQL keeps no order out of a subquery.
   * A page of a listing also reads the tenant's change sequence in it (changeSequenceColumn).
   */
  async function selectWithGroups(
    query: Knex.QueryBuilder,
    order: readonly SqlCondition[],
    { changeSequenceOf, byUniqueKey = false }: { changeSequenceOf?: string; byUniqueKey?: boolean } = {},
  ): Promise<Array<UserRowWithGroups & Partial<ChangeSequenceRow>>> {
    const outer = db
      .select("users.*", groupsColumn, ...(changeSequenceOf === undefined ? [] : [changeSequenceColumn(db, changeSequenceOf)]))
      .from(query.as("users"));
    for (const term of order) outer.orderByRaw(term.sql, term.bindings as Knex.RawBinding[]);
    // The groups' walk makes this statement costly to plan, and by a unique key its plan is one.
    return (await (byUniqueKey ? reusePlan(outer) : outer)) as Array<UserRowWithGroups & Partial<ChangeSequenceRow>>;
  }

  /** The resource types a write is by: its caller's, or the tenant's current ones. */
  async function typesOf(tenantId: string, call: WriteCall): Promise<TenantResourceTypes> {
    return call.schema ?? (await schemas.get(tenantId));
  }

  /**
   * The rows of a user's values of unique extension attributes, in the write's transaction. A tenant
   * at revision 0 never had an extension, so it has no such rows to replace.
   */
  async function writeUniqueValues(trx: Knex.Transaction, tenantId: string, id: string, user: User, types: TenantResourceTypes) {
    if (types.revision === 0n) return;
    await replaceUniqueValues(trx, tenantId, "User", id, uniqueValuesOf(userFromProto(user), types.user));
  }

  async function insertOrConflict(write: () => Promise<unknown>, userName: string): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateUserName(userName);
      throw error;
    }
  }

  /**
   * The password_hash to write for a user's new password: none when the user carries no password
   * or the same one as stored (verified against the stored hash, so an IdP re-sending a password
   * neither re-hashes it nor moves the version), else a new hash. One hash per call: a retry
   * after a lost compare-and-swap reuses it.
   */
  function passwordHasher(signal: AbortSignal | undefined) {
    let made: { password: string; hash: string } | undefined;
    return async (password: string | undefined, storedHash: string | null): Promise<string | undefined> => {
      if (password === undefined) return undefined;
      if (storedHash !== null && (await verifyPassword(password, storedHash, signal))) return undefined;
      if (made?.password !== password) made = { password, hash: await hashPassword(password, signal) };
      return made.hash;
    };
  }

  /**
   * Edits one user with optimistic concurrency: the row is read and the edit, validation and
   * password hashing run outside any transaction; the transaction only writes, with a
   * compare-and-swap on the version read, and the change event. Slow work (a PATCH of thousands of
   * operations, scrypt) thus never holds SQLite's one connection or PostgreSQL's row lock, which
   * every tenant's calls queue for (DESIGN-NOTES: "One tenant's request is every tenant's wait").
   * A writer that lost the swap sees VERSION_MISMATCH when it asked for a version, and otherwise
   * reads the new row and edits again, a bounded number of times.
   */
  async function update(tenantId: string, id: string, edit: UserEdit, expectedVersion?: bigint, call: WriteCall = {}): Promise<User> {
    const { signal } = call;
    const passwordHash = passwordHasher(signal);
    const types = await typesOf(tenantId, call);
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const row = await users().where({ tenant_id: tenantId, id }).first();
      if (row === undefined) throw notFound(`user "${id}"`);
      const current = userFromRow(row);
      const version = BigInt(row.version);
      if (expectedVersion !== undefined && expectedVersion !== version) throw versionMismatch(expectedVersion, version);
      const next = await edit(current);
      const hash = await passwordHash(next.password, row.password_hash);
      const changes: Partial<UserRow> = {
        ...userContent(next, types.user),
        ...(hash === undefined ? {} : { password_hash: hash }),
        version: Number(version + 1n),
        last_modified: nowIso(),
      };
      const saved = userFromRow({ ...row, ...changes } as UserRow);
      const before = userFromProto(current);
      const after = userFromProto(saved);
      const attributes = changedAttributes(before, after);
      if (hash !== undefined) attributes.push("password");
      const entry = () =>
        writeActivityRow(tenantId, call, { resourceType: "User", resourceId: id, kind: "updated", attributes, before, after }, activity);
      // A write that changes nothing (an IdP re-sending the same user) keeps the version: the
      // ETag and the change feed only move when the user does. It still has its activity entry.
      if (attributes.length === 0) {
        const unchanged = entry();
        if (unchanged !== undefined) await writeTransaction(db, signal, (trx) => recordChanges(trx, tenantId, [], unchanged));
        return current;
      }
      const delta = assignmentDelta(current, next);
      const reassigned = sameAssignments(current, saved) ? undefined : assignmentRowsOf(tenantId, id, row.created_at, saved);
      const written = await writeTransaction(db, signal, async (trx) => {
        await refuseStaleSchema(trx, tenantId, types.revision);
        await checkAssignments(trx, tenantId, current, next);
        let updated = 0;
        await insertOrConflict(async () => {
          updated = await users(trx)
            .where({ tenant_id: tenantId, id, version: Number(version) })
            .update(changes);
        }, next.userName);
        if (updated === 0) return false;
        await writeUniqueValues(trx, tenantId, id, saved, types);
        if (reassigned !== undefined) {
          await deleteUserAssignments(trx, tenantId, id);
          await insertUserAssignments(trx, reassigned);
        }
        await recordChanges(
          trx,
          tenantId,
          [
            {
              resourceType: "User",
              resourceId: id,
              kind: userChangeKind(current.active !== false, saved.active !== false),
              version: version + 1n,
              changedAttributes: attributes,
              active: saved.active !== false,
              assignmentsAdded: delta.added,
              assignmentsRemoved: delta.removed,
            },
          ],
          entry(),
          types.revision,
        );
        return true;
      });
      if (written) return saved;
      if (expectedVersion !== undefined || attempt >= maxUpdateAttempts) {
        const latest = await users().where({ tenant_id: tenantId, id }).first("version");
        if (latest === undefined) throw notFound(`user "${id}"`);
        throw versionMismatch(expectedVersion ?? version, BigInt(latest.version));
      }
      // Writers that lost together should not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }

  const store = {
    /** The tenant schema cache the store reads resource types from; its service shares it. */
    schemas,

    async create(tenantId: string, user: User, call: WriteCall = {}): Promise<User> {
      const { signal } = call;
      const passwordHash = user.password === undefined ? null : await hashPassword(user.password, signal);
      const types = await typesOf(tenantId, call);
      const now = nowIso();
      const row: UserRow = {
        tenant_id: tenantId,
        id: randomUUID(),
        ...userContent(user, types.user),
        password_hash: passwordHash,
        version: 1,
        created_at: now,
        last_modified: now,
      };
      const created = userFromRow(row);
      await writeTransaction(db, signal, async (trx) => {
        await refuseStaleSchema(trx, tenantId, types.revision);
        await checkAssignments(trx, tenantId, undefined, created);
        await insertOrConflict(() => users(trx).insert(row), user.userName);
        await writeUniqueValues(trx, tenantId, row.id, created, types);
        await insertUserAssignments(trx, assignmentRowsOf(tenantId, row.id, row.created_at, created));
        const after = userFromProto(created);
        const attributes = changedAttributes({}, after);
        const activityAttributes = passwordHash === null ? attributes : [...attributes, "password"].sort();
        await recordChanges(
          trx,
          tenantId,
          [
            {
              resourceType: "User",
              resourceId: row.id,
              kind: "created",
              version: 1n,
              changedAttributes: attributes,
              active: row.active !== false,
              assignmentsAdded: assignmentDelta(undefined, created).added,
            },
          ],
          writeActivityRow(
            tenantId,
            call,
            { resourceType: "User", resourceId: row.id, kind: "created", attributes: activityAttributes, after },
            activity,
          ),
          types.revision,
        );
      });
      return created;
    },

    async get(tenantId: string, id: string): Promise<User> {
      const row = await users().where({ tenant_id: tenantId, id }).first();
      if (row === undefined) throw notFound(`user "${id}"`);
      return userFromRow(row);
    },

    /**
     * One user with its groups by any key, through the key's index. Two rows are read so that an externalId held
     * by several users is refused rather than answered with an arbitrary one.
     */
    async getBy(tenantId: string, key: UserKey, value: string): Promise<User> {
      const { column, normalize } = keyColumns[key];
      const rows = await selectWithGroups(
        users()
          .where("tenant_id", tenantId)
          .andWhere(column, normalize(value))
          .orderBy([{ column: "created_at" }, { column: "id" }])
          .limit(2),
        creationOrder,
        { byUniqueKey: true },
      );
      const [row] = rows;
      if (row === undefined) throw notFound(key === "id" ? `user "${value}"` : `user with ${key} "${value}"`);
      if (rows.length > 1) throw ambiguousExternalId("users", value);
      return userWithGroupsFromRow(row);
    },

    /** Users with their groups by a batch of keys of one kind (see lookUpBatch), one query per slice of keys. */
    async batchGet(tenantId: string, key: UserKey, keys: readonly string[]): Promise<{ users: User[]; missingKeys: string[] }> {
      const { column, normalize } = keyColumns[key];
      const { found, missing } = await lookUpBatch<UserRowWithGroups>(keys, {
        normalize,
        fetch: (slice) =>
          selectWithGroups(
            users()
              .where("tenant_id", tenantId)
              .whereIn(column, slice)
              .orderBy([{ column: "created_at" }, { column: "id" }]),
            creationOrder,
          ),
        keyOf: (row) => requireValue(row[column], `rows fetched by ${column} hold one`),
        idOf: (row) => row.id,
      });
      return { users: found.map(userWithGroupsFromRow), missingKeys: missing };
    },

    /**
     * One page of users with their groups in creation order (id breaks ties), or sorted, either way stable while an IdP walks
     * startIndex upwards. By OFFSET, the total from a window count in the same query (only a page
     * past the end needs a second, counting query); or, when the page continues a walk this
     * process served, from the position the previous page ended at (pageByOffset).
     */
    async list(tenantId: string, filter: Filter | undefined, startIndex: number, count: number, sort?: UserSort): Promise<UserPage> {
      const { user: resourceType } = await schemas.get(tenantId);
      const matching = () => matchingUsers(db, tenantId, filter, resourceType);
      const countMatching = async () => Number((await matching().count({ n: "*" }).first())?.n ?? 0);
      if (count <= 0) return { users: [], totalResults: await countMatching() };
      // Compiled first: it names a sort the SCIM core cannot resolve as it always has.
      const order = sort === undefined ? creationOrder : compileUserSort(sort.by, sort.order, dialect, resourceType);
      const keyset = offsetKeyset(sort, resourceType);
      const page = await pageByOffset(
        { resource: "User", tenantId, filter, keyset },
        { startIndex, count },
        {
          positions,
          byOffset: async () => {
            const query = matching();
            for (const term of order) query.orderByRaw(term.sql, term.bindings as Knex.RawBinding[]);
            // A lookup by a unique key has two shapes (knex leaves OFFSET 0 out), so one user's
            // lookups keep ten statements per connection at most, whatever the values.
            const rows = await selectWithGroups(query.offset(startIndex - 1).limit(count), order, {
              changeSequenceOf: tenantId,
              byUniqueKey: sort === undefined && uniqueKeyOf(filter) !== undefined,
            });
            const last = rows[rows.length - 1];
            return {
              items: rows.map(userWithGroupsFromRow),
              last: keyset === undefined || last === undefined ? undefined : positionOf(keyset, last),
              totalResults: await totalOfOffsetPage({ startIndex, count }, rows.length, countMatching),
              changeSeq: changeSequenceOfPage(rows),
            };
          },
          after: (position) =>
            store.listAfter(tenantId, filter, requireValue(keyset, "a position implies a keyset"), position, count, false),
          countAll: countMatching,
        },
      );
      return { users: page.items, totalResults: page.totalResults };
    },

    /**
     * One cursor page: the users, with their groups, after a keyset position, read as index ranges from the position
     * on (keysetRanges), so a page costs the same at any depth. One row more than asked tells
     * whether another page follows. The total, when asked, is a separate count of every match.
     */
    async listAfter(
      tenantId: string,
      filter: Filter | undefined,
      keyset: readonly KeysetColumn[],
      after: KeysetPosition | undefined,
      count: number,
      withTotal: boolean,
    ): Promise<KeysetPage<User>> {
      const { user: resourceType } = await schemas.get(tenantId);
      const rows: Array<UserRowWithGroups & Partial<ChangeSequenceRow>> = [];
      const order = keysetOrderBy(keyset).map((sql) => ({ sql, bindings: [] }));
      for (const range of keysetRanges(keyset, after)) {
        if (rows.length > count) break;
        const query = matchingUsers(db, tenantId, filter, resourceType).andWhereRaw(range.sql, range.bindings as Knex.RawBinding[]);
        for (const term of order) query.orderByRaw(term.sql);
        rows.push(...(await selectWithGroups(query.limit(count + 1 - rows.length), order, { changeSequenceOf: tenantId })));
      }
      const page = rows.slice(0, count);
      const last = page[page.length - 1];
      return {
        items: page.map(userWithGroupsFromRow),
        next: rows.length > count && last !== undefined ? positionOf(keyset, last) : undefined,
        totalResults: withTotal
          ? Number((await matchingUsers(db, tenantId, filter, resourceType).count({ n: "*" }).first())?.n ?? 0)
          : undefined,
        changeSeq: changeSequenceOfPage(rows),
      };
    },

    /**
     * One cursor page of the users holding an entitlements or roles value under a type (or under
     * none: an untyped value is held under every type of its kind), in listAfter's order with no
     * sort, whose positions these are. The holders are read from user_assignments as an index range
     * from the position on, grouped by user (a user may hold the value typed and untyped), so a
     * page costs the same however many users the tenant has and however few hold the value; then
     * only the page's users are read, with their groups.
     */
    async listHoldersAfter(
      tenantId: string,
      held: { attribute: AssignmentAttribute; type: string; value: string },
      after: KeysetPosition | undefined,
      count: number,
    ): Promise<KeysetPage<User>> {
      const typeKeys = [...new Set([heldTypeKey(held.attribute, held.type), ""])];
      const holders: Array<{ created_at: string; id: string }> = [];
      for (const range of keysetRanges(holderKeyset, after)) {
        if (holders.length > count) break;
        holders.push(
          ...(await db("user_assignments")
            .where({ tenant_id: tenantId, attribute: held.attribute, value_key: heldValueKey(held.attribute, held.value) })
            .whereIn("type_key", typeKeys)
            .andWhereRaw(range.sql, range.bindings as Knex.RawBinding[])
            .groupBy("created_at", "user_id")
            .orderBy([{ column: "created_at" }, { column: "user_id" }])
            .limit(count + 1 - holders.length)
            .select("created_at", { id: "user_id" })),
        );
      }
      const page = holders.slice(0, count);
      const last = page.at(-1);
      // By primary key and put in the holders' order here: with an ORDER BY, SQLite walks the
      // tenant's creation-order index instead and tests each user against the ids (0.4 s a page
      // at 1,000,000 users).
      const found =
        page.length === 0
          ? []
          : await selectWithGroups(
              users()
                .where("tenant_id", tenantId)
                .whereIn(
                  "id",
                  page.map((holder) => holder.id),
                ),
              [],
            );
      // The two reads see different moments: a user deleted or stripped of the value in between
      // is left out (the page is then short, its next token still right), so a page never lists a
      // user that does not hold the value as the page shows it.
      const byId = new Map(found.map((row) => [row.id, userWithGroupsFromRow(row)]));
      const items = page.flatMap((holder) => byId.get(holder.id) ?? []).filter((user) => holdsValue(user, held));
      return {
        items,
        next: holders.length > count && last !== undefined ? positionOf(holderKeyset, last) : undefined,
        totalResults: undefined,
        changeSeq: undefined,
      };
    },

    /** Replaces a user (PUT), keeping the immutable values it holds (keepImmutableValues). */
    async replace(tenantId: string, user: User, expectedVersion?: bigint, call: WriteCall = {}): Promise<User> {
      const types = await typesOf(tenantId, call);
      const replacement = userFromProto(user);
      const edit = (current: User) => {
        const kept = userToProto(keepImmutableValues(userFromProto(current), replacement, types.user));
        kept.id = user.id;
        kept.password = user.password;
        return kept;
      };
      return update(tenantId, user.id, edit, expectedVersion, { ...call, schema: types });
    },

    update,

    /** Deletes a user and, in the same transaction, its memberships in every group. */
    async delete(tenantId: string, id: string, expectedVersion?: bigint, call: WriteCall = {}): Promise<void> {
      await writeTransaction(db, call.signal, async (trx) => {
        const query = users(trx).where({ tenant_id: tenantId, id });
        if (expectedVersion !== undefined) query.andWhere("version", Number(expectedVersion));
        const existing = await users(trx).where({ tenant_id: tenantId, id }).first();
        if (existing === undefined) throw notFound(`user "${id}"`);
        const deleted = await query.delete();
        if (deleted === 0)
          throw nothingDeleted(`user "${id}"`, expectedVersion, await users(trx).where({ tenant_id: tenantId, id }).first("version"));
        await memberships.removeEverywhere(trx, tenantId, id);
        // Whatever the tenant's schemas are now: a row left behind would block the value for ever.
        await deleteUniqueValues(trx, tenantId, "User", id);
        await deleteUserAssignments(trx, tenantId, id);
        await recordChanges(
          trx,
          tenantId,
          [
            {
              resourceType: "User",
              resourceId: id,
              kind: "deleted",
              version: BigInt(existing.version),
              changedAttributes: [],
              assignmentsRemoved: assignmentDelta(userFromRow(existing), undefined).removed,
            },
          ],
          writeActivityRow(tenantId, call, { resourceType: "User", resourceId: id, kind: "deleted", attributes: [] }, activity),
        );
      });
    },

    /**
     * Fills the read-only `groups` of users read without them (a write's result), one query per
     * slice of users; reads select them with the users (selectWithGroups).
     */
    async withGroups(tenantId: string, found: User[]): Promise<User[]> {
      const groupsOf = new Map<string, UserRowWithGroups["member_groups"]>();
      for (let start = 0; start < found.length; start += keysPerQuery) {
        const ids = found.slice(start, start + keysPerQuery).map((user) => user.id);
        const query = users()
          .where("tenant_id", tenantId)
          .whereIn("id", ids)
          .select<Array<Pick<UserRowWithGroups, "id" | "member_groups">>>("id", groupsColumn);
        // One user's (after each write) is one statement whose plan is kept; a batch's varies in length.
        const rows = await (ids.length === 1 ? reusePlan(query) : query);
        for (const row of rows) groupsOf.set(row.id, row.member_groups);
      }
      for (const user of found) {
        const groups = groupsOf.get(user.id);
        user.groups = groups === undefined ? [] : groupsFromColumn(groups);
      }
      return found;
    },

    /**
     * The groups a user belongs to, directly or (when asked) through nested groups, as User.groups
     * has them, read with the user: NOT_FOUND when the tenant has no such user.
     */
    async groupsOfUser(tenantId: string, userId: string, includeIndirect: boolean): Promise<UserGroupView[]> {
      const row: Pick<UserRowWithGroups, "member_groups"> | undefined = await users()
        .where({ tenant_id: tenantId, id: userId })
        .first(groupsColumn);
      if (row === undefined) throw notFound(`user "${userId}"`);
      return memberGroupsFromSql(row.member_groups)
        .filter((group) => includeIndirect || group.type === "direct")
        .map((group) => ({ groupId: group.value, displayName: group.display, direct: group.type === "direct" }));
    },
  };
  return store;
}

export type UserStore = ReturnType<typeof createUserStore>;
