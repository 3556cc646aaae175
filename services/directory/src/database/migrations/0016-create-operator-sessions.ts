import type { Knex } from "knex";

export async function up(db: Knex): Promise<void> {
  // Operators' console sessions, kept here so that signing out or removing an operator ends a
  // session on every console replica at once. The token is 256 random bits, so its SHA-256 is
  // the key (as for API keys); the CSRF token is returned with the session and stored as is.
  await db.schema.createTable("operator_sessions", (table) => {
    table.string("token_sha256", 64).primary();
    table.string("operator_id", 36).notNullable().references("id").inTable("operators").onDelete("CASCADE");
    table.string("csrf_token", 64).notNullable();
    table.string("created_at", 24).notNullable();
    table.string("expires_at", 24).notNullable();
    table.string("ended_at", 24).nullable();
    // An operator's sessions: ended together (password change), and its last sign-in (sign-in-limit.ts).
    table.index(["operator_id", "created_at"], "operator_sessions_operator_index");
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("operator_sessions");
}
