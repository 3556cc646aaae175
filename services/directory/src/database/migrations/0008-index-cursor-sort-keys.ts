import type { Knex } from "knex";

/**
 * Cursor pages sorted by externalId or meta.lastModified seek to (key, created_at, id): with these
 * indexes that is a range scan of one page, instead of a sort of the tenant's rows on every page.
 * They replace the (tenant_id, external_id) indexes, of which they are extensions.
 */
export async function up(db: Knex): Promise<void> {
  for (const table of ["users", "groups"]) {
    await db.schema.alterTable(table, (builder) => {
      builder.index(["tenant_id", "external_id", "created_at", "id"], `${table}_tenant_external_id_order_index`);
      builder.index(["tenant_id", "last_modified", "created_at", "id"], `${table}_tenant_last_modified_order_index`);
    });
    await db.schema.alterTable(table, (builder) => builder.dropIndex(["tenant_id", "external_id"], `${table}_tenant_external_id_index`));
  }
}

export async function down(db: Knex): Promise<void> {
  for (const table of ["users", "groups"]) {
    await db.schema.alterTable(table, (builder) => {
      builder.index(["tenant_id", "external_id"], `${table}_tenant_external_id_index`);
      builder.dropIndex(["tenant_id", "external_id", "created_at", "id"], `${table}_tenant_external_id_order_index`);
      builder.dropIndex(["tenant_id", "last_modified", "created_at", "id"], `${table}_tenant_last_modified_order_index`);
    });
  }
}
