import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // A user event's active flag after the change: without it a consumer cannot tell a user created
  // inactive (Entra provisions disabled accounts so) from an active one without a read.
  await db.schema.alterTable("change_events", (table) => {
    table.boolean("active").nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("change_events", (table) => {
    table.dropColumn("active");
  });
}
