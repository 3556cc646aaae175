import type { Knex } from "knex";
import { byteOrderedText } from "../column-collation.js";

export async function up(db: Knex): Promise<void> {
  // The values of tenants' extension attributes with uniqueness "server" (issue 16), one row per
  // resource and attribute, written in the resource's own transaction. Only a unique index decides
  // a race between two writers (DESIGN-NOTES "Uniqueness and case"), and an extension attribute has
  // no column of its own to put one on. `attribute` is "urn:...:name" lower-cased (URNs and
  // attribute names compare case-insensitively); `value_key` is the value folded per caseExact.
  await db.schema.createTable("unique_attribute_values", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("resource_type", 8).notNullable(); // "User" or "Group"
    table.string("attribute", 600).notNullable();
    table.string("value_key", 300).notNullable();
    table.string("resource_id", 36).notNullable();
    table.primary(["tenant_id", "resource_type", "attribute", "value_key"]);
    // A resource's rows are replaced on every write of it and deleted with it.
    table.index(["tenant_id", "resource_type", "resource_id"], "unique_attribute_values_resource_index");
  });
  await byteOrderedText(db, "unique_attribute_values", ["attribute", "value_key", "resource_id"]);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("unique_attribute_values");
}
