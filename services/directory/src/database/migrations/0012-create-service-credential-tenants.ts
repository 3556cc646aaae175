import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // The tenants a service credential without all_tenants may name in its calls. Keyed by tenant
  // first, as every table is; the credential's own lookup reads its grants by credential_id.
  await db.schema.createTable("service_credential_tenants", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("credential_id", 36).notNullable().references("id").inTable("service_credentials").onDelete("CASCADE");
    table.primary(["tenant_id", "credential_id"]);
    table.index(["credential_id"]);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("service_credential_tenants");
}
