import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { createTenantStore, openDatabase, userContent, type DatabaseLocation } from "@scimgw/directory";

/**
 * Writes `count` users (bench0@example.com, …) straight into a product's database, a thousand per
 * batch in one transaction: creating a large tenant one request at a time would measure nothing
 * but the seeding. Writes no change events; moves the tenant's user count as creates do. Returns
 * the ids in creation order.
 */
export async function seedUsers(
  location: DatabaseLocation,
  tenantId: string,
  count: number,
  options: { createdAt?: (index: number) => string } = {},
): Promise<string[]> {
  const db = openDatabase(location);
  const ids: string[] = [];
  const createdAt = options.createdAt ?? (() => new Date().toISOString());
  try {
    await db.transaction(async (trx) => {
      for (let start = 0; start < count; start += 1000) {
        const rows = [];
        for (let i = start; i < Math.min(count, start + 1000); i++) {
          const id = randomUUID();
          ids.push(id);
          const at = createdAt(i);
          rows.push({
            tenant_id: tenantId,
            id,
            ...userContent(create(UserSchema, { userName: `bench${i}@example.com` })),
            password_hash: null,
            version: 1,
            created_at: at,
            last_modified: at,
          });
        }
        await trx.batchInsert("users", rows, 250);
      }
    });
    // Rows written around the store: the tenant's kept counts are recounted from them.
    await createTenantStore(db).recountResources(tenantId);
    // Fresh statistics, so PostgreSQL plans the measured queries for the size they run at.
    if (location.kind === "postgres") await db.raw("analyze users");
  } finally {
    await db.destroy();
  }
  return ids;
}
