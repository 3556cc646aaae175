import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // A tenant's catalog types (issue 16): each is a SCIM resource type of its own, served read-only
  // at its endpoint in Okta's Entitlement or Role schema. Names and endpoints are unique per tenant
  // as identity providers compare them, case-insensitively, through folded key columns.
  await db.schema.createTable("entitlement_types", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("name", 64).notNullable();
    table.string("name_key", 64).notNullable();
    table.string("kind", 12).notNullable(); // "entitlement" or "role"
    table.string("endpoint", 65).notNullable();
    table.string("endpoint_key", 65).notNullable();
    table.text("description").notNullable();
    table.bigInteger("version").notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_modified", 24).notNullable();
    table.primary(["tenant_id", "name_key"]);
    table.unique(["tenant_id", "endpoint_key"], { indexName: "entitlement_types_tenant_endpoint_unique" });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("entitlement_types");
}
