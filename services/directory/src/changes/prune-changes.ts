import type { Knex } from "knex";
import { createChangeStore } from "./change-store.js";

/**
 * Deletes events older than the retention window, leaving each tenant's sequence counter as it is
 * (new events keep counting from where it stands). Returns how many were deleted.
 */
export async function pruneChanges(db: Knex, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000).toISOString();
  return createChangeStore(db).deleteBefore(cutoff);
}
