import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // The console's operators (`scimgw-admin operators add`). They belong to the install, not to a
  // tenant, like service credentials. The email is stored lowercase, so the unique index makes
  // ALICE@x and alice@x one account; the check keeps every writer to that.
  await db.schema.createTable("operators", (table) => {
    table.string("id", 36).primary();
    table.string("email", 254).notNullable().unique();
    // scrypt, as users' passwords (users/password-hash.ts): "scrypt$N$r$p$salt$hash".
    table.string("password_hash", 200).notNullable();
    table.string("created_at", 24).notNullable();
    table.check("email = lower(email)", [], "operators_email_lowercase");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("operators");
}
