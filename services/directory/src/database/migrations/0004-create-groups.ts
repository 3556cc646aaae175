import type { Knex } from "knex";
import { byteOrderedText } from "../column-collation.js";

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("groups", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("id", 36).notNullable();
    table.text("display_name").notNullable();
    // displayName folded once in TypeScript: Entra requires it unique, and it is compared
    // case-insensitively (RFC 7643 §4.2 caseExact false), like userName.
    table.text("display_name_key").notNullable();
    table.text("external_id").nullable();
    // The group without members, id and meta, as protobuf JSON (scimgw.directory.v1.Group).
    table.text("resource").notNullable();
    table.bigInteger("version").notNullable();
    table.string("created_at", 24).notNullable();
    table.string("last_modified", 24).notNullable();
    table.primary(["tenant_id", "id"]);
    table.unique(["tenant_id", "display_name_key"], { indexName: "groups_tenant_display_name_key_unique" });
    table.index(["tenant_id", "external_id"], "groups_tenant_external_id_index");
    table.index(["tenant_id", "created_at", "id"], "groups_tenant_created_at_index");
  });
  await byteOrderedText(db, "groups", ["id", "display_name_key", "external_id", "created_at", "last_modified"]);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("groups");
}
