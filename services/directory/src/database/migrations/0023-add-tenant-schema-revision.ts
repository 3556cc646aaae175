import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // A tenant's schema revision (issue 16): one more with every change to its extension schemas.
  // It lives on the tenant's row, which every write already updates last (claimTenantRow), so a
  // write reads the revision it commits under in the statement that locks the row, and a schema
  // change, which updates the same row, can never interleave with it.
  await db.schema.alterTable("tenants", (table) => {
    table.bigInteger("schema_revision").notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable("tenants", (table) => {
    table.dropColumn("schema_revision");
  });
}
