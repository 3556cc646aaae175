import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Each tenant's number of users and groups, kept on its row by every create and delete
  // (recordChanges, in the write's transaction) so that a tenant's health is read, not counted:
  // counting a tenant of 1,000,000 users took 150–250 ms per console page, and the tenant list
  // counted every tenant's. Filled here from the rows as they are.
  await db.schema.alterTable("tenants", (table) => {
    table.bigInteger("user_count").notNullable().defaultTo(0);
    table.bigInteger("group_count").notNullable().defaultTo(0);
  });
  await db("tenants").update({
    user_count: db("users").count("*").whereRaw("users.tenant_id = tenants.id"),
    group_count: db("groups").count("*").whereRaw("groups.tenant_id = tenants.id"),
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("tenants", (table) => {
    table.dropColumn("user_count");
    table.dropColumn("group_count");
  });
}
