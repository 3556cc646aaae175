import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Credentials of internal callers of the gRPC API (the gateway, billing, search…). They are not
  // a tenant's: an internal service reads every tenant it is given the id of.
  await db.schema.createTable("service_credentials", (table) => {
    table.string("id", 36).notNullable().primary();
    table.string("name", 200).notNullable();
    table.string("scope", 16).notNullable(); // "read-only" or "read-write"
    table.string("secret_sha256", 64).notNullable().unique();
    table.string("created_at", 24).notNullable();
    table.string("last_used_at", 24).nullable();
    table.string("revoked_at", 24).nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("service_credentials");
}
