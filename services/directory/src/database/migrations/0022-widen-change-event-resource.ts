import type { Knex } from "knex";
import { dialectOf } from "../open-database.js";

export async function up(db: Knex): Promise<void> {
  // Catalog events' resource_type ("EntitlementType") and resource_id (a publisher's entry id, up
  // to 255 characters) outgrow the columns made for users and groups. SQLite does not enforce
  // varchar lengths, so only PostgreSQL's columns change.
  if (dialectOf(db) !== "postgres") return;
  await db.raw('alter table "change_events" alter column "resource_type" type varchar(16), alter column "resource_id" type varchar(255)');
}

export async function down(db: Knex): Promise<void> {
  if (dialectOf(db) !== "postgres") return;
  await db.raw('alter table "change_events" alter column "resource_type" type varchar(5), alter column "resource_id" type varchar(36)');
}
