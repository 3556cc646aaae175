// A SCIM import walks startIndex 1, 1 + count, … (Okta, Entra). Pages after the first continue from
// the position the previous page ended at (query/offset-positions.ts); these tests hold that walk
// to the OFFSET listing's answers on a static tenant, and to cursor semantics around writes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ListUsersRequestSchema, SortOrder, UserSchema } from "@scimgw/proto";
import { parseFilter, resolveFilter, userResourceType } from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { createOffsetPositions, type OffsetPositions } from "../query/offset-positions.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "./user-service.js";
import { createUserStore, type UserStore } from "./user-store.js";
import { userContent, type UserRow } from "./user-row.js";

type ListRequest = MessageInitShape<typeof ListUsersRequestSchema>;

const filter = (text: string) => filterToProto(resolveFilter(parseFilter(text), userResourceType));

/** Rows straight to the table: four users per creation instant, so the id must break ties; a third without externalId. */
async function seed(db: Knex, tenantId: string, size: number): Promise<void> {
  const rows: UserRow[] = [];
  for (let i = 0; i < size; i++) {
    const user = create(UserSchema, {
      userName: `${["alice", "Bob", "_x", "émile", "zed"][i % 5]}-${(i * 7919) % size}`,
      ...(i % 3 === 0 ? {} : { externalId: i % 5 === 0 ? "shared" : `ext-${i % 11}` }),
      name: { familyName: `F${(i * 31) % 17}` },
    });
    rows.push({
      tenant_id: tenantId,
      id: randomUUID(),
      ...userContent(user),
      password_hash: null,
      version: 1,
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 4))).toISOString(),
      last_modified: new Date(Date.UTC(2026, 1, 1, 0, 0, size - Math.floor(i / 3))).toISOString(),
    });
  }
  await db.batchInsert("users", rows, 200);
  // Rows written around the store: the tenant's kept counts are recounted from them.
  await createTenantStore(db).recountResources(tenantId);
}

const listings: Array<[string, ListRequest]> = [
  ["creation order", {}],
  ["userName ascending", { sortBy: { attribute: "userName" } }],
  ["userName descending", { sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING }],
  ["externalId ascending (unassigned last)", { sortBy: { attribute: "externalId" } }],
  ["externalId descending (unassigned first)", { sortBy: { attribute: "externalId" }, sortOrder: SortOrder.DESCENDING }],
  ["meta.created descending", { sortBy: { attribute: "meta", subAttribute: "created" }, sortOrder: SortOrder.DESCENDING }],
  ["a filter", { filter: filter('userName sw "a" or externalId pr') }],
  ["a filter and a sort", { filter: filter('externalId pr or userName sw "z"'), sortBy: { attribute: "externalId" } }],
];

for (const storeUnderTest of storesUnderTest) {
  describe(`ListUsers walked by startIndex on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    let positions: OffsetPositions;
    let store: UserStore;
    let byOffset: ReturnType<typeof createUserService>;
    let walking: ReturnType<typeof createUserService>;

    const listOf = (service: ReturnType<typeof createUserService>) => async (request: ListRequest) => {
      const page = await service.listUsers(create(ListUsersRequestSchema, { tenantId, ...request }), undefined as never);
      return { ids: (page.users ?? []).map((user) => user.id!), totalResults: Number(page.totalResults) };
    };

    /** Every page from startIndex on, as an IdP reads them: until a page comes back short. */
    async function walk(service: ReturnType<typeof createUserService>, request: ListRequest, count: number, from = 1) {
      const pages: Array<{ ids: string[]; totalResults: number }> = [];
      for (let startIndex = from; pages.length < 10_000; startIndex += count) {
        const page = await listOf(service)({ ...request, startIndex: BigInt(startIndex), count });
        pages.push(page);
        if (page.ids.length < count) return pages;
      }
      throw new Error("the walk did not end");
    }

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("start-index")).id;
      await seed(db, tenantId, 61);
      // The reference remembers nothing, so every page is an OFFSET page, as before positions existed.
      byOffset = createUserService(createUserStore(db, undefined, createOffsetPositions({ maxEntries: 0, maxPerTenant: 0 })));
    });
    after(() => dispose());

    function freshWalker() {
      positions = createOffsetPositions();
      store = createUserStore(db, undefined, positions);
      walking = createUserService(store);
    }

    for (const [name, request] of listings) {
      test(`${name}: every page and total equal the OFFSET listing's, and pages after the first seek`, async () => {
        freshWalker();
        const expected = await walk(byOffset, request, 7);
        assert.ok(expected.length >= 3, `${expected.length} pages`);
        const walked = await walk(walking, request, 7);
        assert.deepEqual(walked, expected);
        // Only the first page pays for OFFSET; a walk ending on a full page would need one more.
        assert.deepEqual(positions.stats(), { hits: walked.length - 1, misses: 1, entries: walked.length - 1 });
      });
    }

    test("a sort by a document attribute pages by OFFSET, with the same answers", async () => {
      freshWalker();
      const request: ListRequest = { sortBy: { attribute: "name", subAttribute: "familyName" } };
      assert.deepEqual(await walk(walking, request, 6), await walk(byOffset, request, 6));
      assert.equal(positions.stats().hits, 0);
      assert.equal(positions.stats().entries, 0);
    });

    test("a jump pages by OFFSET and the walk continues from there; a repeated page is served again", async () => {
      freshWalker();
      const request: ListRequest = { sortBy: { attribute: "userName" } };
      const list = listOf(walking);
      const reference = listOf(byOffset);
      assert.deepEqual(await list({ ...request, startIndex: 23n, count: 5 }), await reference({ ...request, startIndex: 23n, count: 5 }));
      assert.deepEqual(positions.stats(), { hits: 0, misses: 1, entries: 1 });
      assert.deepEqual(await list({ ...request, startIndex: 28n, count: 5 }), await reference({ ...request, startIndex: 28n, count: 5 }));
      // A position is where row startIndex - 1 ended, whatever count the next request asks for.
      assert.deepEqual(await list({ ...request, startIndex: 28n, count: 4 }), await reference({ ...request, startIndex: 28n, count: 4 }));
      // A retry of the page just read is served from its position again.
      assert.deepEqual(await list({ ...request, startIndex: 28n, count: 5 }), await reference({ ...request, startIndex: 28n, count: 5 }));
      assert.deepEqual(positions.stats(), { hits: 3, misses: 1, entries: 3 });
      // Another filter never reads this walk's positions.
      const filtered = { ...request, filter: filter("externalId pr") };
      assert.deepEqual(await list({ ...filtered, startIndex: 33n, count: 5 }), await reference({ ...filtered, startIndex: 33n, count: 5 }));
      assert.equal(positions.stats().misses, 2);
    });

    test("past the end: an empty page with the true total, and nothing remembered for it", async () => {
      freshWalker();
      const list = listOf(walking);
      const total = (await list({ startIndex: 1n, count: 61 })).totalResults;
      assert.equal(total, 61);
      assert.equal(positions.stats().entries, 0, "a page that reaches the end leaves no position");
      assert.deepEqual(await list({ startIndex: 62n, count: 61 }), { ids: [], totalResults: 61 });
    });

    test("a write between pages: the next page starts after the last user sent, and the total is counted again", async () => {
      const writeTenant = (await createTenantStore(db).create(`writes-${randomUUID()}`)).id;
      await seed(db, writeTenant, 20);
      freshWalker();
      const request: ListRequest = { tenantId: writeTenant, sortBy: { attribute: "userName" } };
      const list = listOf(walking);
      const first = await list({ ...request, startIndex: 1n, count: 5 });
      assert.equal(first.totalResults, 20);
      // Two users the walk has passed are deleted, and one is created that sorts before all of them.
      await store.delete(writeTenant, first.ids[1]!);
      await store.delete(writeTenant, first.ids[2]!);
      const created = await store.create(writeTenant, create(UserSchema, { userName: "aaa-first" }));
      const second = await list({ ...request, startIndex: 6n, count: 5 });
      assert.equal(positions.stats().hits, 1);
      // The seek starts exactly after the last user sent; OFFSET 5 would now skip the one after it.
      const now = (await listOf(byOffset)({ ...request, startIndex: 1n, count: 100 })).ids;
      assert.deepEqual(second.ids, now.slice(now.indexOf(first.ids[4]!) + 1).slice(0, 5));
      assert.notDeepEqual(second.ids, (await listOf(byOffset)({ ...request, startIndex: 6n, count: 5 })).ids);
      assert.ok(!second.ids.includes(created.id));
      assert.equal(second.totalResults, 19, "counted again after the writes");
      await store.create(writeTenant, create(UserSchema, { userName: "zzz-last" }));
      const third = await list({ ...request, startIndex: 11n, count: 5 });
      assert.equal(third.totalResults, 20);
      assert.deepEqual(third.ids, now.slice(now.indexOf(second.ids[4]!) + 1).slice(0, 5));
      // With no write since, the total is the remembered one: no count of every match is run.
      const counts: string[] = [];
      const onQuery = (query: { sql: string }) => {
        if (/count\(\*\)/i.test(query.sql)) counts.push(query.sql);
      };
      db.on("query", onQuery);
      try {
        assert.equal((await list({ ...request, startIndex: 16n, count: 5 })).totalResults, 20);
      } finally {
        db.off("query", onQuery);
      }
      assert.deepEqual(counts, []);
      assert.equal(positions.stats().hits, 3);
    });

    test("the default shared cache serves the walk too (one per database, shared by users and groups)", async () => {
      const shared = createUserService(createUserStore(db));
      const expected = await walk(byOffset, {}, 10);
      assert.deepEqual(await walk(shared, {}, 10), expected);
    });
  });
}
