import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("api_keys", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("id", 36).notNullable();
    // SHA-256 of the key: keys are 256-bit random secrets, so a fast hash is enough (no brute
    // force is possible) and lets verification be one indexed lookup.
    table.string("key_sha256", 64).notNullable().unique();
    table.string("label", 200).notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_used_at", 24).nullable();
    table.string("revoked_at", 24).nullable();
    table.primary(["tenant_id", "id"]);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("api_keys");
}
