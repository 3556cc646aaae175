/**
 * The attributes stored in columns of their own (indexed, or at least typed). `nullable` columns
 * get an explicit IS NOT NULL so a comparison is never NULL (SQL's NULL would otherwise turn
 * `not (...)` around); NOT NULL columns stay bare so the planner can use their indexes.
 */
export const userColumns: Record<string, { column: string; nullable: boolean }> = {
  id: { column: "id", nullable: false },
  userName: { column: "user_name_key", nullable: false },
  externalId: { column: "external_id", nullable: true },
  active: { column: "active", nullable: false },
  "meta.created": { column: "created_at", nullable: false },
  "meta.lastModified": { column: "last_modified", nullable: false },
};
