import { fromJsonString } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { assignmentRowsOf, insertUserAssignments } from "../../search/user-assignments.js";
import { byteOrderedText } from "../column-collation.js";

// The users holding each entitlements or roles value (search/user-assignments.ts), so that
// ListUsersWithEntitlement reads an index range instead of scanning the tenant's users. Like
// 0026's search document, the rows are derived data in the form this build reads, so the rule
// that makes them is imported, not inlined; every later write keeps them in that form.
const batchSize = 1000;

/**
 * Writes the rows of every user that holds an entitlement or a role, tenant by tenant, a batch at
 * a time in id order, so memory stays bounded however many users a tenant has. Only users whose
 * stored resource names either attribute are read (protobuf JSON writes a field only when it has
 * values), so the tenant's users are scanned once, by its primary key range, and few are parsed:
 * 6.7 s for a tenant of 1,001,000 users on SQLite, 1,000 of them holding a value (a keyset over
 * (tenant_id, id) with an OR, as 0026 pages, took 90 s: SQLite ranged on tenant_id alone).
 */
export async function backfillUserAssignments(db: Knex | Knex.Transaction): Promise<void> {
  for (const { id: tenantId } of (await db("tenants").select("id")) as Array<{ id: string }>) {
    let after = "";
    for (;;) {
      const users = (await db("users")
        .where("tenant_id", tenantId)
        .andWhere("id", ">", after)
        .andWhere((holding) => holding.where("resource", "like", '%"entitlements"%').orWhere("resource", "like", '%"roles"%'))
        .orderBy("id")
        .limit(batchSize)
        .select("id", "created_at", "resource")) as Array<{ id: string; created_at: string; resource: string }>;
      await insertUserAssignments(
        db,
        users.flatMap((user) => assignmentRowsOf(tenantId, user.id, user.created_at, fromJsonString(UserSchema, user.resource))),
      );
      const last = users.at(-1);
      if (last === undefined || users.length < batchSize) break;
      after = last.id;
    }
  }
}

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable("user_assignments", (table) => {
    table.string("tenant_id", 36).notNullable().references("id").inTable("tenants").onDelete("CASCADE");
    table.string("attribute", 16).notNullable(); // "entitlements" or "roles"
    table.string("value_key", 300).notNullable();
    table.string("type_key", 300).notNullable();
    table.string("created_at", 24).notNullable();
    table.string("user_id", 36).notNullable();
    // A value's holders in the users' listing order (created_at, id), the type read from the index too.
    table.primary(["tenant_id", "attribute", "value_key", "created_at", "user_id", "type_key"]);
    // A user's rows are replaced when its values change and deleted with it.
    table.index(["tenant_id", "user_id"], "user_assignments_user_index");
  });
  await byteOrderedText(db, "user_assignments", ["attribute", "value_key", "type_key", "created_at", "user_id"]);
  await backfillUserAssignments(db);
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable("user_assignments");
}
