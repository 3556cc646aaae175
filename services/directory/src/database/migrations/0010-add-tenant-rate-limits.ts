import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // An operator's per-tenant override of the gateway's default request rate (issue 11: no tenant
  // can hurt another). NULL is "no override": the gateway's settings apply. The gateway learns
  // the values with each key verification, so they need no call of their own.
  await db.schema.alterTable("tenants", (table) => {
    table.integer("rate_limit_per_second").nullable();
    table.integer("rate_limit_burst").nullable();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("tenants", (table) => {
    table.dropColumn("rate_limit_per_second");
    table.dropColumn("rate_limit_burst");
  });
}
