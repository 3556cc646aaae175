import type { Knex } from "knex";
import { dialectOf } from "../open-database.js";

export async function up(db: Knex): Promise<void> {
  // Schema extension events carry the extension's URN as resource_id, up to 512 characters
  // (maxExtensionUrnLength, schema_extensions.id_key), which outgrows 0022's 255. SQLite does not
  // enforce varchar lengths, so only PostgreSQL's column changes.
  if (dialectOf(db) !== "postgres") return;
  await db.raw('alter table "change_events" alter column "resource_id" type varchar(512)');
}

export async function down(db: Knex): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  await db.raw('alter table "change_events" alter column "resource_id" type varchar(255)');
}
