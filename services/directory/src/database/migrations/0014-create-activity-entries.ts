import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable("tenants", (table) => {
    // An operator's suspension (`scimgw-admin tenants suspend`): the tenant's API keys are refused
    // while it is set; nothing of the tenant is deleted.
    table.string("suspended_at", 24).nullable();
    // The activity log's per-tenant sequence, bumped by every writer of an entry like
    // last_change_seq: numbers are handed out in commit order, so a follower never skips one.
    table.bigInteger("last_activity_seq").notNullable().defaultTo(0);
  });
  // One row per SCIM request that reached a tenant (activity/activity-log.ts).
  await db.schema.createTable("activity_entries", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.bigInteger("seq").notNullable();
    // Microsecond ISO-8601 UTC text (2026-01-31T12:00:00.000000Z): requests a millisecond apart
    // still sort in the order they arrived.
    table.string("started_at", 27).notNullable();
    table.string("request_id", 128).notNullable();
    table.string("key_id", 64).notNullable();
    table.string("key_label", 200).notNullable();
    table.string("identity_provider", 8).notNullable();
    table.text("user_agent").notNullable();
    table.string("method", 16).notNullable();
    table.text("path").notNullable();
    table.text("query").notNullable();
    table.string("resource_type", 5).notNullable();
    table.string("resource_id", 64).notNullable();
    table.integer("status").notNullable();
    // status / 100, so "every 4xx" is an index range like any other filter.
    table.integer("status_class").notNullable();
    table.string("scim_type", 32).notNullable();
    table.text("detail").notNullable();
    table.double("latency_ms").notNullable();
    // The ActivityDiff as protobuf JSON, for successful writes; NULL otherwise.
    table.text("diff").nullable();
    table.primary(["tenant_id", "seq"]);
    // "Latest first", and the filters the console and `admin activity` offer, each latest first.
    table.index(["tenant_id", "started_at", "seq"], "activity_entries_started_index");
    table.index(["tenant_id", "status_class", "started_at", "seq"], "activity_entries_status_index");
    table.index(["tenant_id", "resource_id", "started_at", "seq"], "activity_entries_resource_index");
    table.index(["tenant_id", "key_id", "started_at", "seq"], "activity_entries_key_index");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("activity_entries");
  await db.schema.alterTable("tenants", (table) => {
    table.dropColumn("suspended_at");
    table.dropColumn("last_activity_seq");
  });
}
