// An IdP import of a 100,000-user tenant by startIndex pages: every user is seen exactly once, and
// every page after the first seeks from the previous page's last row instead of skipping rows.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ListUsersRequestSchema, SortOrder, UserSchema } from "@scimgw/proto";
import type { Knex } from "knex";
import { dialectOf } from "../database/open-database.js";
import { createOffsetPositions } from "../query/offset-positions.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { userContent, type UserRow } from "./user-row.js";
import { createUserService } from "./user-service.js";
import { createUserStore } from "./user-store.js";

const size = 100_000;

async function seed(db: Knex, tenantId: string): Promise<void> {
  const now = new Date().toISOString();
  await db.transaction(async (trx) => {
    for (let start = 0; start < size; start += 1000) {
      const rows: UserRow[] = [];
      for (let i = start; i < Math.min(size, start + 1000); i++) {
        rows.push({
          tenant_id: tenantId,
          id: randomUUID(),
          ...userContent(create(UserSchema, { userName: `user${(i * 7919) % size}@example.com` })),
          password_hash: null,
          version: 1,
          // One instant for all: the id alone orders the walk, as in a bulk-loaded tenant.
          created_at: now,
          last_modified: now,
        });
      }
      await trx.batchInsert("users", rows, 250);
    }
  });
  // Rows written around the store: the tenant's kept counts are recounted from them.
  await createTenantStore(db).recountResources(tenantId);
  if (dialectOf(db) === "postgres") await db.raw("analyze users");
}

for (const storeUnderTest of storesUnderTest) {
  describe(`a ${size.toLocaleString("en")}-user import by startIndex on ${storeUnderTest.name}`, { timeout: 900_000 }, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("import")).id;
      await seed(db, tenantId);
    });
    after(() => dispose());

    const walks: Array<[string, MessageInitShape<typeof ListUsersRequestSchema>, number]> = [
      ["creation order, pages of 500", {}, 500],
      ["userName descending, pages of 1,000", { sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING }, 1000],
    ];
    for (const [name, request, count] of walks) {
      test(`${name}: every user exactly once, every page after the first from a remembered position`, async () => {
        const positions = createOffsetPositions();
        const service = createUserService(createUserStore(db, undefined, positions));
        const seen = new Set<string>();
        let pages = 0;
        for (let startIndex = 1; ; startIndex += count) {
          const page = await service.listUsers(
            create(ListUsersRequestSchema, { tenantId, ...request, startIndex: BigInt(startIndex), count }),
            undefined as never,
          );
          pages++;
          assert.equal(page.totalResults, BigInt(size));
          const users = page.users ?? [];
          for (const user of users) {
            assert.ok(!seen.has(user.id!), `user ${user.userName} seen twice`);
            seen.add(user.id!);
          }
          if (users.length < count) break;
        }
        assert.equal(seen.size, size);
        assert.equal(pages, size / count + 1);
        // The last, empty page is one past the last remembered position: OFFSET.
        assert.deepEqual(positions.stats(), { hits: pages - 2, misses: 2, entries: Math.min(pages - 2, 16) });
      });
    }
  });
}
