import type { Knex } from "knex";
import { byteOrderedText } from "../column-collation.js";

export async function up(db: Knex): Promise<void> {
  // The entries of each catalog type, keyed by the publisher's id within the type (two types may
  // both have an entry "basic"). Listed by id, so the id sorts by code point on both stores;
  // displayName is filtered through its folded key, as SCIM compares it case-insensitively.
  // Deleting a type deletes its entries; deleting a tenant deletes both.
  await db.schema.createTable("entitlements", (table) => {
    table.string("tenant_id", 36).notNullable();
    table.string("type_key", 64).notNullable();
    table.string("id", 255).notNullable();
    table.string("display_name", 255).notNullable();
    table.string("display_name_key", 255).notNullable();
    table.text("description").notNullable();
    table.bigInteger("version").notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_modified", 24).notNullable();
    table.primary(["tenant_id", "type_key", "id"]);
    table.foreign(["tenant_id", "type_key"]).references(["tenant_id", "name_key"]).inTable("entitlement_types").onDelete("CASCADE");
  });
  await byteOrderedText(db, "entitlements", ["id", "display_name_key"]);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("entitlements");
}
