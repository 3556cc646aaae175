import type { Knex } from "knex";
import { byteOrderedText } from "../column-collation.js";

export async function up(db: Knex): Promise<void> {
  // One row per membership, so adding or removing members touches only those rows, whatever the
  // group's size. A member is a user or a group of the same tenant (no foreign key can point at
  // either, so the directory checks members exist when it writes them, and removes a deleted
  // user's or group's rows in the same transaction as the delete).
  await db.schema.createTable("group_members", (table) => {
    table.string("tenant_id", 36).notNullable();
    table.string("group_id", 36).notNullable();
    table.string("member_id", 36).notNullable();
    table.string("member_type", 5).notNullable(); // "User" or "Group"
    table.primary(["tenant_id", "group_id", "member_id"]);
    // The other direction: a user's groups, and the rows to remove when a member is deleted.
    table.index(["tenant_id", "member_id"], "group_members_tenant_member_index");
    table.foreign(["tenant_id", "group_id"]).references(["tenant_id", "id"]).inTable("groups").onDelete("CASCADE");
  });
  await byteOrderedText(db, "group_members", ["group_id", "member_id"]);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("group_members");
}
