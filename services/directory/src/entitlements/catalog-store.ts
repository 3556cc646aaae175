import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EntitlementKind,
  EntitlementSchema,
  EntitlementTypeSchema,
  ResourceMetaSchema,
  type Entitlement,
  type EntitlementType,
} from "@scimgw/proto";
import { catalogFilterAttributes, findAttribute, ScimError, toComparableText, type CatalogType, type Filter } from "@scimgw/scim";
import { recordChanges, type Change } from "../changes/change-log.js";
import { dialectOf } from "../database/open-database.js";
import { nowIso } from "../database/timestamps.js";
import { writeTransaction } from "../database/write-transaction.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { invalidArgument, notFound, uniquenessViolation } from "../errors/directory-errors.js";
import { comparison, compileFilterTree, presence } from "../query/compile-filter-tree.js";
import type { SqlCondition } from "../query/sql-condition.js";
import { catalogKey, checkDescription, checkDisplayName, checkEndpoint, checkEntryId, checkTypeName } from "./catalog-names.js";

/** A row of entitlement_types. */
export interface EntitlementTypeRow {
  tenant_id: string;
  name: string;
  name_key: string;
  kind: CatalogType["kind"];
  endpoint: string;
  endpoint_key: string;
  description: string;
  version: number | string;
  created_at: string;
  last_modified: string;
}

/** A row of entitlements. */
export interface EntitlementRow {
  tenant_id: string;
  type_key: string;
  id: string;
  display_name: string;
  display_name_key: string;
  description: string;
  version: number | string;
  created_at: string;
  last_modified: string;
}

export function kindOfProto(kind: EntitlementKind): CatalogType["kind"] {
  switch (kind) {
    case EntitlementKind.ENTITLEMENT:
      return "entitlement";
    case EntitlementKind.ROLE:
      return "role";
    default:
      throw invalidArgument("kind is required: ENTITLEMENT or ROLE");
  }
}

export const kindToProto = (kind: CatalogType["kind"]) => (kind === "entitlement" ? EntitlementKind.ENTITLEMENT : EntitlementKind.ROLE);

export function typeFromRow(row: EntitlementTypeRow): EntitlementType {
  return create(EntitlementTypeSchema, {
    name: row.name,
    kind: kindToProto(row.kind),
    endpoint: row.endpoint,
    description: row.description,
  });
}

function entryFromRow(row: EntitlementRow, typeName: string): Entitlement {
  return create(EntitlementSchema, {
    type: typeName,
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    meta: create(ResourceMetaSchema, {
      created: timestampFromDate(new Date(row.created_at)),
      lastModified: timestampFromDate(new Date(row.last_modified)),
      version: BigInt(row.version),
    }),
  });
}

/** The change feed's resource type of a catalog type's entries. */
const entryResourceType = (kind: CatalogType["kind"]): Change["resourceType"] => (kind === "entitlement" ? "Entitlement" : "Role");

export interface EntryPage {
  entitlements: Entitlement[];
  totalResults: number;
  /** The last entry's id when more follow (cursor paging). */
  nextAfter: string | undefined;
}

/**
 * Compiles a catalog endpoint's filter (RFC 7644 §3.4.2.2) to SQL: id compared exactly,
 * displayName through its folded key, and type (entitlements only) against the listed type's
 * name, which every entry of the listing has. Any other attribute is invalidFilter.
 */
function compileEntryFilter(filter: Filter, catalogType: Pick<CatalogType, "name" | "kind">): SqlCondition {
  const attributes = catalogFilterAttributes(catalogType.kind);
  const leaf = (path: { schema?: string | undefined; attribute: string; subAttribute?: string | undefined }) => {
    const definition = findAttribute(attributes, path.attribute);
    if (definition === undefined || path.subAttribute !== undefined)
      throw ScimError.of(
        "invalidFilter",
        `a ${catalogType.name} can be filtered on ${attributes.map((a) => a.name).join(", ")}, not "${path.attribute}${path.subAttribute === undefined ? "" : `.${path.subAttribute}`}"`,
      );
    const expression: SqlCondition =
      definition.name === "id"
        ? { sql: '"entitlements"."id"', bindings: [] }
        : definition.name === "displayName"
          ? { sql: '"entitlements"."display_name_key"', bindings: [] }
          : { sql: "CAST(? AS TEXT)", bindings: [toComparableText(catalogType.name, definition.caseExact)] };
    return { definition, expression };
  };
  return compileFilterTree(filter, {
    compare: (node) => {
      const { definition, expression } = leaf(node.path);
      return comparison(expression, false, definition, node.operator, node.value, definition.name);
    },
    present: (node) => {
      const { definition, expression } = leaf(node.path);
      return presence(expression, definition);
    },
    valuePath: (node) => {
      throw ScimError.of("invalidFilter", `"${node.path.attribute}" has no values to filter`);
    },
  });
}

/** Two publishers created the same type or entry at once: the loser's write runs again, and updates. */
class CreatedMeanwhile extends Error {}

/**
 * Runs a catalog write again when it lost a race to create the same row (its transaction rolled
 * back whole): the next attempt finds the row and updates it, as an upsert promises.
 */
async function upserting<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof CreatedMeanwhile) || attempt >= 3) throw error;
    }
  }
}

/** The catalog tables of one database: every query is scoped by the tenant. */
export function createCatalogStore(db: Knex) {
  const types = (trx: Knex | Knex.Transaction = db) => trx<EntitlementTypeRow>("entitlement_types");
  const entries = (trx: Knex | Knex.Transaction = db) => trx<EntitlementRow>("entitlements");

  async function requireTenant(trx: Knex | Knex.Transaction, tenantId: string): Promise<void> {
    if ((await trx("tenants").where({ id: tenantId }).first("id")) === undefined) throw notFound(`tenant "${tenantId}"`);
  }

  async function typeRow(tenantId: string, name: string, trx: Knex | Knex.Transaction = db): Promise<EntitlementTypeRow> {
    const row = await types(trx)
      .where({ tenant_id: tenantId, name_key: catalogKey(name) })
      .first();
    if (row === undefined) throw notFound(`catalog type "${name}"`);
    return row;
  }

  function matchingEntries(tenantId: string, row: EntitlementTypeRow, filter: Filter | undefined) {
    const query = entries().where({ tenant_id: tenantId, type_key: row.name_key });
    if (filter !== undefined) {
      const condition = compileEntryFilter(filter, row);
      query.andWhereRaw(condition.sql, condition.bindings as Knex.RawBinding[]);
    }
    return query;
  }

  return {
    /** Creates or updates a type; its kind may only change while it has no entries. */
    async putType(tenantId: string, type: EntitlementType, signal?: AbortSignal): Promise<{ type: EntitlementType; created: boolean }> {
      const name = checkTypeName(type.name);
      const kind = kindOfProto(type.kind);
      const endpoint = checkEndpoint(type.endpoint);
      const description = checkDescription(type.description);
      return await upserting(() =>
        writeTransaction(db, signal, async (trx) => {
          await requireTenant(trx, tenantId);
          const existing = await types(trx)
            .where({ tenant_id: tenantId, name_key: catalogKey(name) })
            .first();
          const now = nowIso();
          const content = { name, kind, endpoint, endpoint_key: catalogKey(endpoint), description };
          if (existing !== undefined) {
            const unchanged =
              existing.name === name && existing.kind === kind && existing.endpoint === endpoint && existing.description === description;
            if (unchanged) return { type: typeFromRow(existing), created: false };
            if (existing.kind !== kind && (await entries(trx).where({ tenant_id: tenantId, type_key: existing.name_key }).first("id")))
              throw ScimError.of(
                "mutability",
                `catalog type "${existing.name}" has entries: its kind cannot change; delete the type first`,
              );
          }
          const version = existing === undefined ? 1 : Number(existing.version) + 1;
          try {
            if (existing === undefined)
              await types(trx).insert({
                tenant_id: tenantId,
                name_key: catalogKey(name),
                ...content,
                version,
                created_at: now,
                last_modified: now,
              });
            else
              await types(trx)
                .where({ tenant_id: tenantId, name_key: existing.name_key })
                .update({ ...content, version, last_modified: now });
          } catch (error) {
            if (!isUniqueViolation(error)) throw error;
            // The endpoint taken, or (PostgreSQL only: SQLite's write transactions begin IMMEDIATE,
            // so they run one after the other, across processes too) the same name created by a
            // concurrent call, which PostgreSQL reports once that call has committed, so a read
            // outside this aborted transaction sees which it was.
            const raced =
              existing === undefined &&
              dialectOf(db) === "postgres" &&
              (await db<EntitlementTypeRow>("entitlement_types")
                .where({ tenant_id: tenantId, endpoint_key: catalogKey(endpoint) })
                .whereNot({ name_key: catalogKey(name) })
                .first("name")) === undefined;
            if (raced) throw new CreatedMeanwhile();
            throw uniquenessViolation(`another catalog type of this tenant is served at ${endpoint}`, "endpoint");
          }
          await recordChanges(trx, tenantId, [
            {
              resourceType: "EntitlementType",
              resourceId: name,
              catalogType: name,
              kind: existing === undefined ? "created" : "updated",
              version: BigInt(version),
              changedAttributes:
                existing === undefined ? ["description", "endpoint", "kind", "name"] : changedTypeAttributes(existing, content),
            },
          ]);
          const saved = await types(trx)
            .where({ tenant_id: tenantId, name_key: catalogKey(name) })
            .first();
          if (saved === undefined) throw new Error("a catalog type vanished inside its own write");
          return { type: typeFromRow(saved), created: existing === undefined };
        }),
      );
    },

    /** Deletes a type and its entries, each with its event (the entries' first). */
    async deleteType(tenantId: string, name: string, signal?: AbortSignal): Promise<number> {
      return await writeTransaction(db, signal, async (trx) => {
        const row = await typeRow(tenantId, name, trx);
        const gone = await entries(trx).where({ tenant_id: tenantId, type_key: row.name_key }).select("id", "version").orderBy("id");
        await entries(trx).where({ tenant_id: tenantId, type_key: row.name_key }).delete();
        await types(trx).where({ tenant_id: tenantId, name_key: row.name_key }).delete();
        await recordChanges(trx, tenantId, [
          ...gone.map(
            (entry): Change => ({
              resourceType: entryResourceType(row.kind),
              resourceId: entry.id,
              catalogType: row.name,
              kind: "deleted",
              version: BigInt(entry.version),
              changedAttributes: [],
            }),
          ),
          {
            resourceType: "EntitlementType",
            resourceId: row.name,
            catalogType: row.name,
            kind: "deleted",
            version: BigInt(row.version),
            changedAttributes: [],
          },
        ]);
        return gone.length;
      });
    },

    async listTypes(tenantId: string): Promise<EntitlementTypeRow[]> {
      return await types().where({ tenant_id: tenantId }).orderBy("name_key");
    },

    /** Creates or updates an entry; an upsert that changes nothing keeps the version and sends no event. */
    async upsert(tenantId: string, entry: Entitlement, signal?: AbortSignal): Promise<{ entitlement: Entitlement; created: boolean }> {
      const id = checkEntryId(entry.id);
      const displayName = checkDisplayName(entry.displayName);
      const description = checkDescription(entry.description);
      return await upserting(() =>
        writeTransaction(db, signal, async (trx) => {
          const type = await typeRow(tenantId, entry.type, trx);
          const existing = await entries(trx).where({ tenant_id: tenantId, type_key: type.name_key, id }).first();
          if (existing !== undefined && existing.display_name === displayName && existing.description === description)
            return { entitlement: entryFromRow(existing, type.name), created: false };
          const now = nowIso();
          const version = existing === undefined ? 1 : Number(existing.version) + 1;
          const content = { display_name: displayName, display_name_key: toComparableText(displayName, false), description };
          if (existing === undefined) {
            try {
              await entries(trx).insert({
                tenant_id: tenantId,
                type_key: type.name_key,
                id,
                ...content,
                version,
                created_at: now,
                last_modified: now,
              });
            } catch (error) {
              // Created by a concurrent upsert: the next attempt updates it.
              if (isUniqueViolation(error)) throw new CreatedMeanwhile();
              throw error;
            }
          } else
            await entries(trx)
              .where({ tenant_id: tenantId, type_key: type.name_key, id })
              .update({ ...content, version, last_modified: now });
          await recordChanges(trx, tenantId, [
            {
              resourceType: entryResourceType(type.kind),
              resourceId: id,
              catalogType: type.name,
              kind: existing === undefined ? "created" : "updated",
              version: BigInt(version),
              changedAttributes:
                existing === undefined
                  ? ["description", "displayName"].filter((name) => name !== "description" || description !== "")
                  : [
                      ...(existing.description === description ? [] : ["description"]),
                      ...(existing.display_name === displayName ? [] : ["displayName"]),
                    ],
            },
          ]);
          const saved = await entries(trx).where({ tenant_id: tenantId, type_key: type.name_key, id }).first();
          if (saved === undefined) throw new Error("a catalog entry vanished inside its own write");
          return { entitlement: entryFromRow(saved, type.name), created: existing === undefined };
        }),
      );
    },

    async deleteEntry(tenantId: string, typeName: string, id: string, signal?: AbortSignal): Promise<void> {
      await writeTransaction(db, signal, async (trx) => {
        const type = await typeRow(tenantId, typeName, trx);
        const existing = await entries(trx).where({ tenant_id: tenantId, type_key: type.name_key, id }).first("version");
        if (existing === undefined) throw notFound(`${type.name} "${id}"`);
        await entries(trx).where({ tenant_id: tenantId, type_key: type.name_key, id }).delete();
        await recordChanges(trx, tenantId, [
          {
            resourceType: entryResourceType(type.kind),
            resourceId: id,
            catalogType: type.name,
            kind: "deleted",
            version: BigInt(existing.version),
            changedAttributes: [],
          },
        ]);
      });
    },

    async get(tenantId: string, typeName: string, id: string): Promise<Entitlement> {
      const type = await typeRow(tenantId, typeName);
      const row = await entries().where({ tenant_id: tenantId, type_key: type.name_key, id }).first();
      if (row === undefined) throw notFound(`${type.name} "${id}"`);
      return entryFromRow(row, type.name);
    },

    /** One page of a type's entries ordered by id: after an id (cursor) or from a 1-based index (offset). */
    async list(
      tenantId: string,
      typeName: string,
      filter: Filter | undefined,
      page: { startIndex: number; count: number } | { after: string | undefined; count: number },
    ): Promise<EntryPage> {
      const type = await typeRow(tenantId, typeName);
      const total = Number((await matchingEntries(tenantId, type, filter).count({ n: "*" }).first())?.n ?? 0);
      if (page.count <= 0) return { entitlements: [], totalResults: total, nextAfter: undefined };
      const query = matchingEntries(tenantId, type, filter).orderBy("id");
      if ("startIndex" in page) query.offset(page.startIndex - 1).limit(page.count);
      else {
        if (page.after !== undefined) query.andWhere("id", ">", page.after);
        query.limit(page.count + 1);
      }
      const rows = await query;
      const items = rows.slice(0, page.count);
      const more = !("startIndex" in page) && rows.length > page.count;
      return {
        entitlements: items.map((row) => entryFromRow(row, type.name)),
        totalResults: total,
        nextAfter: more ? items[items.length - 1]?.id : undefined,
      };
    },

    typeRow,
  };
}

function changedTypeAttributes(
  before: EntitlementTypeRow,
  after: Pick<EntitlementTypeRow, "name" | "kind" | "endpoint" | "description">,
): string[] {
  return (["description", "endpoint", "kind", "name"] as const).filter((key) => before[key] !== after[key]);
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
