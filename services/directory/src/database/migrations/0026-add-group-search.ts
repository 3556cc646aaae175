import { fromJsonString } from "@bufbuild/protobuf";
import { GroupSchema, SchemaExtensionSchema } from "@scimgw/proto";
import { groupResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { extensionFromProto, groupFromProto, resourceTypesWithExtensions } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { searchDocument } from "../../search/search-document.js";
import { dialectOf } from "../open-database.js";

// Groups get the search document users have (query/search-document.ts), so a filter or sortBy on
// a tenant's Group extension attribute is answered in SQL as a user's is. Unlike 0013's rule, the
// document is imported, not inlined: it is derived data that only the filter compiler of the same
// build reads, so it must be in that build's form, and every write rewrites it in that form anyway.
// The tenant's extensions are read here from the tables as they are at this migration, as
// schemas/read-tenant-resource-types.ts reads them (that folder depends on errors/, which depends on
// the migrations).
const batchSize = 1000;

interface Row {
  tenant_id: string;
  id: string;
  resource: string;
}

/** A tenant's Group resource type: the built-in one with its registered Group extensions. */
async function groupTypeOf(db: Knex | Knex.Transaction, tenantId: string): Promise<ResourceTypeDefinition> {
  const rows: Array<{ document: string }> = await db("schema_extensions")
    .where({ tenant_id: tenantId, resource_type: "Group" })
    .orderBy("id_key")
    .select("document");
  if (rows.length === 0) return groupResourceType;
  return resourceTypesWithExtensions(rows.map((row) => extensionFromProto(fromJsonString(SchemaExtensionSchema, row.document)))).group;
}

/**
 * Rewrites every group's search document from its stored resource, by its tenant's resource types,
 * a batch at a time in key order, so memory stays bounded however many groups a tenant holds.
 */
export async function backfillGroupSearch(db: Knex | Knex.Transaction): Promise<void> {
  let after: { tenant_id: string; id: string } | undefined;
  let tenant: { id: string; groupType: ResourceTypeDefinition } | undefined;
  for (;;) {
    const query = db<Row>("groups")
      .orderBy([{ column: "tenant_id" }, { column: "id" }])
      .limit(batchSize);
    if (after !== undefined) {
      const { tenant_id, id } = after;
      query.where((keyset) =>
        keyset.where("tenant_id", ">", tenant_id).orWhere((same) => same.where("tenant_id", tenant_id).andWhere("id", ">", id)),
      );
    }
    const rows = await query.select("tenant_id", "id", "resource");
    for (const row of rows) {
      // Rows come in tenant order, so each tenant's types are read once.
      if (tenant?.id !== row.tenant_id) tenant = { id: row.tenant_id, groupType: await groupTypeOf(db, row.tenant_id) };
      // The stored resource is the group without id, meta and members, as groupContent makes it.
      const search = searchDocument(groupFromProto(fromJsonString(GroupSchema, row.resource)), tenant.groupType);
      await db("groups").where({ tenant_id: row.tenant_id, id: row.id }).update({ search });
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < batchSize) return;
    after = { tenant_id: last.tenant_id, id: last.id };
  }
}

export async function up(db: Knex): Promise<void> {
  // As users.search (0003): jsonb on PostgreSQL, JSON text on SQLite. Both stores need a default
  // to add a NOT NULL column to a filled table; '{}' holds no attribute, and the backfill below
  // replaces it in every existing row before the migration commits.
  await db.schema.alterTable("groups", (table) => {
    table
      .specificType("search", dialectOf(db) === "postgres" ? "jsonb" : "text")
      .notNullable()
      .defaultTo("{}");
  });
  await backfillGroupSearch(db);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("groups", (table) => {
    table.dropColumn("search");
  });
}
