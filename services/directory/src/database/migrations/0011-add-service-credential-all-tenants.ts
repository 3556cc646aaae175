import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Whether a service credential may name any tenant, or only those granted to it in
  // service_credential_tenants. Credentials issued before tenants could be granted read every
  // tenant, and running installs (the gateway's own credential) depend on that: they keep it.
  await db.schema.alterTable("service_credentials", (table) => {
    table.boolean("all_tenants").notNullable().defaultTo(true);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("service_credentials", (table) => {
    table.dropColumn("all_tenants");
  });
}
