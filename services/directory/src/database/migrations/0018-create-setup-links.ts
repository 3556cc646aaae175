import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Setup links an operator gives a customer's IT admin (SetupLinkService): each bound to one
  // tenant, expiring, revocable. The token is 256 random bits, so its SHA-256 is what is kept and
  // looked up, globally (the portal knows no tenant), as API keys are.
  await db.schema.createTable("setup_links", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("id", 36).notNullable();
    table.string("token_sha256", 64).notNullable().unique();
    table.string("created_by", 254).notNullable();
    table.string("created_at", 24).notNullable();
    table.string("expires_at", 24).notNullable();
    table.string("revoked_at", 24).nullable();
    table.primary(["tenant_id", "id"]);
    // A tenant's links newest first.
    table.index(["tenant_id", "created_at"], "setup_links_tenant_created_index");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("setup_links");
}
