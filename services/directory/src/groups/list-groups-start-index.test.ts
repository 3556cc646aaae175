// Groups walked by startIndex as IdPs import them: the same pages as OFFSET, pages after the first
// from a remembered position (query/offset-positions.ts), shared with users without mixing them up.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { GroupSchema, ListGroupsRequestSchema, ListUsersRequestSchema, SortOrder, UserSchema } from "@scimgw/proto";
import { groupResourceType, parseFilter, resolveFilter } from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { createOffsetPositions, type OffsetPositions } from "../query/offset-positions.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "../users/user-service.js";
import { createUserStore } from "../users/user-store.js";
import { userContent, type UserRow } from "../users/user-row.js";
import { createGroupService } from "./group-service.js";
import { createGroupStore } from "./group-store.js";
import { groupContent, type GroupRow } from "./group-row.js";

type ListRequest = MessageInitShape<typeof ListGroupsRequestSchema>;

const listings: Array<[string, ListRequest]> = [
  ["creation order", {}],
  ["displayName ascending", { sortBy: { attribute: "displayName" } }],
  ["displayName descending", { sortBy: { attribute: "displayName" }, sortOrder: SortOrder.DESCENDING }],
  ["externalId ascending (unassigned last)", { sortBy: { attribute: "externalId" } }],
  ["externalId descending (unassigned first)", { sortBy: { attribute: "externalId" }, sortOrder: SortOrder.DESCENDING }],
  ["a filter", { filter: filterToProto(resolveFilter(parseFilter('displayName sw "g" or externalId pr'), groupResourceType)) }],
];

for (const storeUnderTest of storesUnderTest) {
  describe(`ListGroups walked by startIndex on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    const byOffset = () => createGroupService(createGroupStore(db, undefined, createOffsetPositions({ maxEntries: 0, maxPerTenant: 0 })));

    async function walk(service: ReturnType<typeof createGroupService>, request: ListRequest, count: number) {
      const pages: Array<{ ids: string[]; totalResults: number }> = [];
      for (let startIndex = 1; pages.length < 10_000; startIndex += count) {
        const page = await service.listGroups(
          create(ListGroupsRequestSchema, { tenantId, ...request, startIndex: BigInt(startIndex), count }),
          undefined as never,
        );
        const ids = (page.groups ?? []).map((group) => group.id!);
        pages.push({ ids, totalResults: Number(page.totalResults) });
        if (ids.length < count) return pages;
      }
      throw new Error("the walk did not end");
    }

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("start-index")).id;
      // Three groups per creation instant, so the id breaks ties.
      const rows: GroupRow[] = Array.from({ length: 40 }, (_, i) => {
        const created = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 3))).toISOString();
        const group = create(GroupSchema, {
          displayName: `${["Group", "g", "Ärzte", "_ops"][i % 4]}-${(i * 13) % 40}`,
          ...(i % 3 === 0 ? {} : { externalId: i % 4 === 0 ? "shared" : `ext-${i % 7}` }),
        });
        return { tenant_id: tenantId, id: randomUUID(), ...groupContent(group), version: 1, created_at: created, last_modified: created };
      });
      await db.batchInsert("groups", rows, 100);
    });
    after(() => dispose());

    for (const [name, request] of listings) {
      test(`${name}: every page and total equal the OFFSET listing's, and pages after the first seek`, async () => {
        const positions: OffsetPositions = createOffsetPositions();
        const expected = await walk(byOffset(), request, 6);
        assert.ok(expected.length >= 3, `${expected.length} pages`);
        const walked = await walk(createGroupService(createGroupStore(db, undefined, positions)), request, 6);
        assert.deepEqual(walked, expected);
        assert.deepEqual(positions.stats(), { hits: walked.length - 1, misses: 1, entries: walked.length - 1 });
      });
    }

    test("users and groups of one tenant walk side by side in one cache without reading each other's positions", async () => {
      const positions = createOffsetPositions();
      const userRows: UserRow[] = Array.from({ length: 12 }, (_, i) => ({
        tenant_id: tenantId,
        id: randomUUID(),
        ...userContent(create(UserSchema, { userName: `u${i}` })),
        password_hash: null,
        version: 1,
        created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        last_modified: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      }));
      await db.batchInsert("users", userRows, 100);
      const users = createUserService(createUserStore(db, undefined, positions));
      const groups = createGroupService(createGroupStore(db, undefined, positions));
      const expectedGroups = await walk(byOffset(), {}, 5);
      const userIds: string[] = [];
      const groupPages: Array<{ ids: string[]; totalResults: number }> = [];
      for (let startIndex = 1; startIndex <= 41; startIndex += 5) {
        const page = await users.listUsers(
          create(ListUsersRequestSchema, { tenantId, startIndex: BigInt(startIndex), count: 5 }),
          undefined as never,
        );
        userIds.push(...(page.users ?? []).map((user) => user.id!));
        const groupPage = await groups.listGroups(
          create(ListGroupsRequestSchema, { tenantId, startIndex: BigInt(startIndex), count: 5 }),
          undefined as never,
        );
        groupPages.push({ ids: (groupPage.groups ?? []).map((group) => group.id!), totalResults: Number(groupPage.totalResults) });
      }
      assert.equal(new Set(userIds).size, 12);
      assert.deepEqual(groupPages, expectedGroups);
      assert.ok(positions.stats().hits >= 8, JSON.stringify(positions.stats()));
    });
  });
}
