import type { Knex } from "knex";
import { byteOrderedText } from "../column-collation.js";
import { dialectOf } from "../open-database.js";

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("users", (table) => {
    // Every key starts with the tenant, so a tenant's rows stay together and no index can
    // answer across tenants.
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("id", 36).notNullable();
    table.text("user_name").notNullable();
    // userName folded once in TypeScript (caseExact false, RFC 7643 §4.1.1): the unique index on
    // it is what decides a race between two creates, identically on every store.
    table.text("user_name_key").notNullable();
    table.text("external_id").nullable();
    table.boolean("active").notNullable();
    // The whole user as protobuf JSON (scimgw.directory.v1.User without id, meta and password).
    table.text("resource").notNullable();
    // The user as filters read it: SCIM JSON with case-insensitive strings folded (search-document.ts).
    // jsonb on PostgreSQL so its operators need no cast; JSON text on SQLite, read with json_extract.
    table.specificType("search", dialectOf(db) === "postgres" ? "jsonb" : "text").notNullable();
    table.text("password_hash").nullable();
    table.bigInteger("version").notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_modified", 24).notNullable();
    table.primary(["tenant_id", "id"]);
    table.unique(["tenant_id", "user_name_key"], { indexName: "users_tenant_user_name_key_unique" });
    table.index(["tenant_id", "external_id"], "users_tenant_external_id_index");
    table.index(["tenant_id", "created_at", "id"], "users_tenant_created_at_index");
  });
  await byteOrderedText(db, "users", ["id", "user_name_key", "external_id", "created_at", "last_modified"]);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("users");
}
