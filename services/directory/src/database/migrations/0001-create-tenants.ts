import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("tenants", (table) => {
    table.string("id", 36).primary();
    table.string("name", 200).notNullable().unique();
    table.string("created_at", 24).notNullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("tenants");
}
