import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Catalog events (issue 16) name their catalog type, and user events carry the entitlements and
  // roles they added and removed: a JSON object of those details, null for the other events.
  await db.schema.alterTable("change_events", (table) => {
    table.text("details").nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("change_events", (table) => {
    table.dropColumn("details");
  });
}
