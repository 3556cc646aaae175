import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Each tenant's change sequence is a counter on its row, bumped inside every writing
  // transaction: writers of one tenant queue on that row, so sequence numbers are handed out
  // and committed in the same order, with no gaps (a global auto-increment would let a later
  // number commit before an earlier one, and a follower would skip the earlier one forever).
  await db.schema.alterTable("tenants", (table) => {
    table.bigInteger("last_change_seq").notNullable().defaultTo(0);
  });
  // The transactional outbox: a row per committed change, written with the change itself.
  await db.schema.createTable("change_events", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.bigInteger("seq").notNullable();
    table.string("occurred_at", 24).notNullable();
    table.string("resource_type", 5).notNullable(); // "User" or "Group"
    table.string("resource_id", 36).notNullable();
    table.string("kind", 24).notNullable();
    table.bigInteger("version").notNullable();
    // JSON arrays: the attributes that changed, and for membership changes the member ids.
    table.text("changed_attributes").notNullable();
    table.text("member_ids").nullable();
    table.primary(["tenant_id", "seq"]);
    table.index(["tenant_id", "occurred_at"], "change_events_tenant_occurred_at_index");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("change_events");
  await db.schema.alterTable("tenants", (table) => {
    table.dropColumn("last_change_seq");
  });
}
