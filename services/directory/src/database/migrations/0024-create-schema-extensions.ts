import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Each tenant's own extension schemas (issue 16). `id_key` is the URN folded to lower case (URNs
  // compare case-insensitively, RFC 8141 §3.1); `document` is the SchemaExtension message as
  // protobuf JSON, the contract's own form, so reading one back needs no mapping of its own.
  await db.schema.createTable("schema_extensions", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("id_key", 512).notNullable();
    table.string("resource_type", 8).notNullable(); // "User" or "Group"
    table.text("document").notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_modified", 24).notNullable();
    table.primary(["tenant_id", "id_key"]);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("schema_extensions");
}
