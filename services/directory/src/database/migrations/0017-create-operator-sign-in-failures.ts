import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Failed console sign-ins, so that every console replica shares the limit (operators/sign-in-limit.ts):
  // per account (the email as typed, lowercased, known or not: refusing only known ones would tell
  // which exist) and per client address. Rows older than the window are deleted as new ones come.
  await db.schema.createTable("operator_sign_in_failures", (table) => {
    // A random id, not a serial: copy-store moves rows with their ids, which a sequence would not follow.
    table.string("id", 36).primary();
    table.string("email", 254).notNullable();
    table.string("client_address", 64).notNullable();
    table.string("failed_at", 24).notNullable();
    table.index(["email", "failed_at"], "operator_sign_in_failures_email_index");
    table.index(["client_address", "failed_at"], "operator_sign_in_failures_address_index");
    table.index(["failed_at"], "operator_sign_in_failures_failed_at_index");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("operator_sign_in_failures");
}
