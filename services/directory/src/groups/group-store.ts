import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import type { Group } from "@scimgw/proto";
import { keepImmutableValues, type AttributePath, type Filter, type ResourceTypeDefinition } from "@scimgw/scim";
import { dialectOf } from "../database/open-database.js";
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
import { MembershipDelta } from "../memberships/membership-delta.js";
import { memberships } from "../memberships/membership-store.js";
import { externalIdKey } from "../query/external-id-key.js";
import { lookUpBatch } from "../query/lookup-by-key.js";
import type { SortDirection } from "../query/sort-direction.js";
import { compileGroupFilter, compileGroupSort, offsetGroupKeyset } from "./compile-group-filter.js";
import { displayNameKey, groupContent, groupFromRow, type GroupRow } from "./group-row.js";
import { changedAttributes, recordChanges, type Change } from "../changes/change-log.js";
import { refuseStaleSchema } from "../tenants/tenant-row-claim.js";
import { defaultActivityOptions, writeActivityRow, type ActivityOptions, type WriteCall } from "../activity/write-activity.js";
import { groupFromProto, groupToProto } from "@scimgw/scim-proto";
import { createTenantSchemaCache, type TenantSchemaCache } from "../schemas/tenant-schema-cache.js";
import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { deleteUniqueValues, replaceUniqueValues, uniqueValuesOf } from "../uniqueness/unique-attribute-values.js";

/** The attributes a group can be looked up by. */
export type GroupKey = "id" | "displayName" | "externalId";

/** The indexed column each key is held in, and the form the column holds it in. */
const keyColumns: Record<GroupKey, { column: "id" | "display_name_key" | "external_id"; normalize(key: string): string }> = {
  id: { column: "id", normalize: (key) => key },
  displayName: { column: "display_name_key", normalize: displayNameKey },
  externalId: { column: "external_id", normalize: externalIdKey },
};

/** A group write inside its transaction: returns the new attributes, notes membership changes in `delta`. */
export type GroupEdit = (current: Group, trx: Knex.Transaction, delta: MembershipDelta) => Promise<Group>;

/** The change-feed events of one group write. */
function groupChanges(id: string, version: bigint, attributes: string[], delta: { added: string[]; removed: string[] }): Change[] {
  const changes: Change[] = [];
  if (attributes.length > 0) {
    changes.push({
      resourceType: "Group",
      resourceId: id,
      kind: attributes.includes("displayName") ? "renamed" : "updated",
      version,
      changedAttributes: attributes,
    });
  }
  if (delta.added.length > 0)
    changes.push({
      resourceType: "Group",
      resourceId: id,
      kind: "members_added",
      version,
      changedAttributes: ["members"],
      memberIds: delta.added,
    });
  if (delta.removed.length > 0)
    changes.push({
      resourceType: "Group",
      resourceId: id,
      kind: "members_removed",
      version,
      changedAttributes: ["members"],
      memberIds: delta.removed,
    });
  return changes;
}

function duplicateDisplayName(displayName: string) {
  return uniquenessViolation(
    `a group named "${displayName}" already exists in this tenant (displayName is compared case-insensitively)`,
    "displayName",
  );
}

async function orConflict<T>(write: () => Promise<T>, displayName: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateDisplayName(displayName);
    throw error;
  }
}

/** The groups table and its membership rows; every query is scoped by tenant. */
export function createGroupStore(
  db: Knex,
  activity: ActivityOptions = defaultActivityOptions,
  positions: OffsetPositions = offsetPositionsOf(db),
  /** Each tenant's resource types, for filters, sorts and writes not given theirs (WriteCall.schema). */
  schemas: TenantSchemaCache = createTenantSchemaCache(db, { revalidateAfterMs: 1000, maxTenants: 10_000 }),
) {
  const groups = (trx: Knex | Knex.Transaction = db) => trx<GroupRow>("groups");

  /** The resource types a write is by: its caller's, or the tenant's current ones. */
  async function typesOf(tenantId: string, call: WriteCall): Promise<TenantResourceTypes> {
    return call.schema ?? (await schemas.get(tenantId));
  }

  /** A group's rows of unique extension values (see the user store's writeUniqueValues). */
  async function writeUniqueValues(trx: Knex.Transaction, tenantId: string, id: string, group: Group, types: TenantResourceTypes) {
    if (types.revision === 0n) return;
    await replaceUniqueValues(trx, tenantId, "Group", id, uniqueValuesOf(groupFromProto(group), types.group));
  }
  const postgres = dialectOf(db) === "postgres";

  /** The tenant's groups that match a filter, as one query, by the tenant's resource type. */
  function matching(tenantId: string, filter: Filter | undefined, resourceType: ResourceTypeDefinition): Knex.QueryBuilder<GroupRow> {
    const query = groups().where("groups.tenant_id", tenantId);
    if (filter !== undefined) {
      const condition = compileGroupFilter(filter, dialectOf(db), resourceType);
      query.andWhereRaw(condition.sql, condition.bindings as Knex.RawBinding[]);
    }
    return query;
  }

  /**
   * Runs an edit of one group in a transaction and bumps its version with a compare-and-swap
   * (the row is locked first on PostgreSQL, so concurrent membership changes queue and all apply).
   * Unlike a user's, the edit stays inside: membership changes are set operations on the rows,
   * in proportion to the ids the request names, and a group's other attributes are single-valued,
   * so nothing quadratic runs here; the caller's signal still stops it before COMMIT.
   */
  async function update(tenantId: string, id: string, edit: GroupEdit, expectedVersion?: bigint, call: WriteCall = {}): Promise<Group> {
    const types = await typesOf(tenantId, call);
    return writeTransaction(db, call.signal, async (trx) => {
      await refuseStaleSchema(trx, tenantId, types.revision);
      const read = groups(trx).where({ tenant_id: tenantId, id });
      if (postgres) read.forUpdate();
      const row = await read.first();
      if (row === undefined) throw notFound(`group "${id}"`);
      const version = BigInt(row.version);
      if (expectedVersion !== undefined && expectedVersion !== version) throw versionMismatch(expectedVersion, version);
      const current = groupFromRow(row);
      const delta = new MembershipDelta();
      const next = await edit(current, trx, delta);
      const before = groupFromProto(current);
      const after = groupFromProto(next);
      const attributes = changedAttributes(before, after);
      const members = delta.net();
      const entry = () =>
        writeActivityRow(
          tenantId,
          call,
          { resourceType: "Group", resourceId: id, kind: "updated", attributes, before, after, members },
          activity,
        );
      // A write that changes nothing (Okta re-adding a member, re-sending a name) keeps the
      // version: the ETag and the change feed only move when the group does. It still has its
      // activity entry.
      if (attributes.length === 0 && members.added.length === 0 && members.removed.length === 0) {
        await recordChanges(trx, tenantId, [], entry());
        return current;
      }
      const changes: Partial<GroupRow> = { ...groupContent(next, types.group), version: Number(version + 1n), last_modified: nowIso() };
      const updated = await orConflict(
        () =>
          groups(trx)
            .where({ tenant_id: tenantId, id, version: Number(version) })
            .update(changes),
        next.displayName,
      );
      if (updated === 0) throw versionMismatch(version, version + 1n);
      const saved = groupFromRow({ ...row, ...changes } as GroupRow);
      await writeUniqueValues(trx, tenantId, id, saved, types);
      await recordChanges(trx, tenantId, groupChanges(id, version + 1n, attributes, members), entry(), types.revision);
      return saved;
    });
  }

  /**
   * One group by any key, through the key's index. Two rows are read so that an externalId held
   * by several groups is refused rather than answered with an arbitrary one.
   */
  async function getBy(tenantId: string, key: GroupKey, value: string): Promise<{ group: Group; hasMembers: boolean }> {
    const { column, normalize } = keyColumns[key];
    const rows = await groups()
      .where("tenant_id", tenantId)
      .andWhere(column, normalize(value))
      .orderBy([{ column: "created_at" }, { column: "id" }])
      .limit(2);
    const [row] = rows;
    if (row === undefined) throw notFound(key === "id" ? `group "${value}"` : `group with ${key} "${value}"`);
    if (rows.length > 1) throw ambiguousExternalId("groups", value);
    return { group: groupFromRow(row), hasMembers: await memberships.any(db, tenantId, row.id) };
  }

  const store = {
    /** The tenant schema cache the store reads resource types from; its service shares it. */
    schemas,

    async create(tenantId: string, group: Group, call: WriteCall = {}): Promise<Group> {
      const types = await typesOf(tenantId, call);
      const now = nowIso();
      const row: GroupRow = {
        tenant_id: tenantId,
        id: randomUUID(),
        ...groupContent(group, types.group),
        version: 1,
        created_at: now,
        last_modified: now,
      };
      await writeTransaction(db, call.signal, async (trx) => {
        await refuseStaleSchema(trx, tenantId, types.revision);
        await orConflict(() => groups(trx).insert(row), group.displayName);
        await writeUniqueValues(trx, tenantId, row.id, groupFromRow(row), types);
        const added = await memberships.add(
          trx,
          tenantId,
          row.id,
          group.members.map((member) => member.value),
        );
        const after = groupFromProto(groupFromRow(row));
        const created: Change = {
          resourceType: "Group",
          resourceId: row.id,
          kind: "created",
          version: 1n,
          changedAttributes: changedAttributes({}, after),
        };
        await recordChanges(
          trx,
          tenantId,
          added.length === 0
            ? [created]
            : [
                created,
                {
                  resourceType: "Group",
                  resourceId: row.id,
                  kind: "members_added",
                  version: 1n,
                  changedAttributes: ["members"],
                  memberIds: added,
                },
              ],
          writeActivityRow(
            tenantId,
            call,
            {
              resourceType: "Group",
              resourceId: row.id,
              kind: "created",
              attributes: created.changedAttributes,
              after,
              members: { added, removed: [] },
            },
            activity,
          ),
          types.revision,
        );
      });
      return groupFromRow(row);
    },

    async get(tenantId: string, id: string): Promise<{ group: Group; hasMembers: boolean }> {
      return getBy(tenantId, "id", id);
    },

    getBy,

    /** Groups, without members, by a batch of keys of one kind (see lookUpBatch), one query per slice of keys. */
    async batchGet(tenantId: string, key: GroupKey, keys: readonly string[]): Promise<{ groups: Group[]; missingKeys: string[] }> {
      const { column, normalize } = keyColumns[key];
      const { found, missing } = await lookUpBatch<GroupRow>(keys, {
        normalize,
        fetch: (slice) =>
          groups()
            .where("tenant_id", tenantId)
            .whereIn(column, slice)
            .orderBy([{ column: "created_at" }, { column: "id" }]),
        keyOf: (row) => requireValue(row[column], `rows fetched by ${column} hold one`),
        idOf: (row) => row.id,
      });
      return { groups: found.map(groupFromRow), missingKeys: missing };
    },

    /** One offset page of groups, by OFFSET or continuing a walk; see the user store's list. */
    async list(
      tenantId: string,
      filter: Filter | undefined,
      startIndex: number,
      count: number,
      sort?: { by: AttributePath; order: SortDirection },
    ): Promise<{ groups: Group[]; totalResults: number }> {
      const { group: resourceType } = await schemas.get(tenantId);
      const countMatching = async () => Number((await matching(tenantId, filter, resourceType).count({ n: "*" }).first())?.n ?? 0);
      if (count <= 0) return { groups: [], totalResults: await countMatching() };
      const terms =
        sort === undefined
          ? [
              { sql: '"groups"."created_at" ASC', bindings: [] },
              { sql: '"groups"."id" ASC', bindings: [] },
            ]
          : compileGroupSort(sort.by, sort.order, dialectOf(db), resourceType);
      // A sort by a column can continue a walk from a position; one by an extension attribute pages by OFFSET.
      const keyset = offsetGroupKeyset(sort, resourceType);
      const page = await pageByOffset(
        { resource: "Group", tenantId, filter, keyset },
        { startIndex, count },
        {
          positions,
          byOffset: async () => {
            const query = matching(tenantId, filter, resourceType).select("groups.*", changeSequenceColumn(db, tenantId));
            for (const term of terms) query.orderByRaw(term.sql, term.bindings as Knex.RawBinding[]);
            const rows: Array<GroupRow & ChangeSequenceRow> = await query.offset(startIndex - 1).limit(count);
            const last = rows[rows.length - 1];
            return {
              items: rows.map(groupFromRow),
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
      return { groups: page.items, totalResults: page.totalResults };
    },

    /** One cursor page of groups after a keyset position; see the user store's listAfter. */
    async listAfter(
      tenantId: string,
      filter: Filter | undefined,
      keyset: readonly KeysetColumn[],
      after: KeysetPosition | undefined,
      count: number,
      withTotal: boolean,
    ): Promise<KeysetPage<Group>> {
      const { group: resourceType } = await schemas.get(tenantId);
      const rows: Array<GroupRow & ChangeSequenceRow> = [];
      for (const range of keysetRanges(keyset, after)) {
        if (rows.length > count) break;
        const query = matching(tenantId, filter, resourceType)
          .select("groups.*", changeSequenceColumn(db, tenantId))
          .andWhereRaw(range.sql, range.bindings as Knex.RawBinding[]);
        for (const term of keysetOrderBy(keyset)) query.orderByRaw(term);
        rows.push(...((await query.limit(count + 1 - rows.length)) as Array<GroupRow & ChangeSequenceRow>));
      }
      const page = rows.slice(0, count);
      const last = page[page.length - 1];
      return {
        items: page.map(groupFromRow),
        next: rows.length > count && last !== undefined ? positionOf(keyset, last) : undefined,
        totalResults: withTotal ? Number((await matching(tenantId, filter, resourceType).count({ n: "*" }).first())?.n ?? 0) : undefined,
        changeSeq: changeSequenceOfPage(rows),
      };
    },

    async members(tenantId: string, groupId: string, afterMemberId: string, limit: number) {
      if ((await groups().where({ tenant_id: tenantId, id: groupId }).first("id")) === undefined) throw notFound(`group "${groupId}"`);
      return memberships.page(db, tenantId, groupId, afterMemberId, limit);
    },

    async memberCount(tenantId: string, groupId: string): Promise<number> {
      return memberships.count(db, tenantId, groupId);
    },

    /**
     * Replaces attributes and members; the members as a difference against the stored rows, and
     * the immutable values the group holds kept (keepImmutableValues).
     */
    async replace(tenantId: string, group: Group, expectedVersion?: bigint, call: WriteCall = {}): Promise<Group> {
      const types = await typesOf(tenantId, call);
      const replacement = groupFromProto({ ...group, members: [] });
      return update(
        tenantId,
        group.id,
        async (current, trx, delta) => {
          const { added, removed } = await memberships.replace(
            trx,
            tenantId,
            group.id,
            group.members.map((member) => member.value),
          );
          delta.removed(removed);
          delta.added(added);
          const kept = groupToProto(keepImmutableValues(groupFromProto(current), replacement, types.group));
          kept.id = group.id;
          kept.members = group.members;
          return kept;
        },
        expectedVersion,
        { ...call, schema: types },
      );
    },

    update,

    async delete(tenantId: string, id: string, expectedVersion?: bigint, call: WriteCall = {}): Promise<void> {
      await writeTransaction(db, call.signal, async (trx) => {
        const existing = await groups(trx).where({ tenant_id: tenantId, id }).first("version");
        if (existing === undefined) throw notFound(`group "${id}"`);
        const query = groups(trx).where({ tenant_id: tenantId, id });
        if (expectedVersion !== undefined) query.andWhere("version", Number(expectedVersion));
        const deleted = await query.delete();
        if (deleted === 0)
          throw nothingDeleted(`group "${id}"`, expectedVersion, await groups(trx).where({ tenant_id: tenantId, id }).first("version"));
        // Its own member rows go with it (foreign key); its rows as a member of others go here.
        await trx("group_members").where({ tenant_id: tenantId, group_id: id }).delete();
        await memberships.removeEverywhere(trx, tenantId, id);
        await deleteUniqueValues(trx, tenantId, "Group", id);
        await recordChanges(
          trx,
          tenantId,
          [{ resourceType: "Group", resourceId: id, kind: "deleted", version: BigInt(existing.version), changedAttributes: [] }],
          writeActivityRow(tenantId, call, { resourceType: "Group", resourceId: id, kind: "deleted", attributes: [] }, activity),
        );
      });
    },
  };
  return store;
}

export type GroupStore = ReturnType<typeof createGroupStore>;
