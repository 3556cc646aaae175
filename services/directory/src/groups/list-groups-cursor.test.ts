import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { GroupSchema, ListGroupsRequestSchema, SortOrder } from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import { groupResourceType, parseFilter, resolveFilter } from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { toDirectoryError } from "../errors/directory-errors.js";
import { maxPageSize } from "../query/list-paging.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createGroupService } from "./group-service.js";
import { createGroupStore, type GroupStore } from "./group-store.js";
import { displayNameKey, groupContent, type GroupRow } from "./group-row.js";

type ListRequest = MessageInitShape<typeof ListGroupsRequestSchema>;

function rejectsWith(code: Code, message?: RegExp) {
  return (thrown: unknown) => {
    const error = toDirectoryError(thrown);
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

const displayNames = [
  "Sales",
  "sales-emea",
  "_admins",
  "Ops",
  "ops2",
  "Ärzte",
  "Zeta",
  "alpha",
  "Beta",
  "日本",
  "A B",
  "a-b",
  "a_b",
  "ſ",
  "Ω",
  "0day",
];

for (const storeUnderTest of storesUnderTest) {
  describe(`ListGroups with cursor paging on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: GroupStore;
    let service: ReturnType<typeof createGroupService>;
    let tenantId = "";

    const list = (request: ListRequest) =>
      service.listGroups(create(ListGroupsRequestSchema, { tenantId, ...request }), undefined as never);

    async function walk(request: ListRequest, during?: () => Promise<unknown>): Promise<{ ids: string[]; names: string[] }> {
      const ids: string[] = [];
      const names: string[] = [];
      let pageToken = "";
      for (let pages = 1; pages < 10_000; pages++) {
        const [page] = await Promise.all([list({ ...request, pageToken }), during?.()]);
        ids.push(...(page.groups ?? []).map((group) => group.id!));
        names.push(...(page.groups ?? []).map((group) => group.displayName!));
        if (!page.nextPageToken) return { ids, names };
        pageToken = page.nextPageToken;
      }
      throw new Error("the walk did not end");
    }

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createGroupStore(db);
      service = createGroupService(store);
      tenantId = (await createTenantStore(db).create("cursor")).id;
      // Straight to the table, so that creation instants tie and the id must break the ties.
      const rows: GroupRow[] = displayNames.map((displayName, i) => {
        const created = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 3))).toISOString();
        const group = create(GroupSchema, {
          displayName,
          ...(i % 3 === 0 ? {} : { externalId: i % 4 === 0 ? "shared" : `ext-${i % 2 ? "a" : "A"}${i}` }),
        });
        return { tenant_id: tenantId, id: randomUUID(), ...groupContent(group), version: 1, created_at: created, last_modified: created };
      });
      await db.batchInsert("groups", rows, 100);
    });
    after(() => dispose());

    const sorts: Array<[string, ListRequest]> = [
      ["creation order", {}],
      ["displayName ascending", { sortBy: { attribute: "displayName" } }],
      ["displayName descending", { sortBy: { attribute: "displayName" }, sortOrder: SortOrder.DESCENDING }],
      ["externalId ascending", { sortBy: { attribute: "externalId" } }],
      ["externalId descending", { sortBy: { attribute: "externalId" }, sortOrder: SortOrder.DESCENDING }],
      ["meta.lastModified descending", { sortBy: { attribute: "meta", subAttribute: "lastModified" }, sortOrder: SortOrder.DESCENDING }],
      ["id ascending", { sortBy: { attribute: "id" } }],
      [
        "a filter",
        {
          filter: filterToProto(resolveFilter(parseFilter('displayName sw "a" or externalId pr'), groupResourceType)),
          sortBy: { attribute: "displayName" },
        },
      ],
    ];
    for (const [name, request] of sorts) {
      test(`${name}: pages of 2 list every group once, in the offset listing's order`, async () => {
        const expected = ((await list({ ...request, startIndex: 1n, count: maxPageSize })).groups ?? []).map((group) => group.id!);
        assert.ok(expected.length > 5);
        assert.deepEqual((await walk({ ...request, count: 2 })).ids, expected);
      });
    }

    test("displayName sorts by the folded name's code points on every store", async () => {
      const expected = [...displayNames].sort((a, b) => Buffer.compare(Buffer.from(displayNameKey(a)), Buffer.from(displayNameKey(b))));
      assert.deepEqual((await walk({ sortBy: { attribute: "displayName" }, count: 5 })).names, expected);
    });

    test("total only when asked; a token binds to its listing; start_index excludes a token", async () => {
      const first = await list({ count: 4 });
      assert.equal(first.totalResults, 0n);
      assert.equal((await list({ count: 4, includeTotalResults: true })).totalResults, BigInt(displayNames.length));
      await assert.rejects(
        list({ sortBy: { attribute: "displayName" }, pageToken: first.nextPageToken! }),
        rejectsWith(Code.INVALID_ARGUMENT, /different listing/),
      );
      await assert.rejects(list({ pageToken: "garbage" }), rejectsWith(Code.INVALID_ARGUMENT, /not a token this service issued/));
      await assert.rejects(
        list({ startIndex: 1n, pageToken: first.nextPageToken! }),
        rejectsWith(Code.INVALID_ARGUMENT, /exclude each other/),
      );
      await assert.rejects(list({ sortBy: { attribute: "members" } }), rejectsWith(Code.INVALID_ARGUMENT, /members/));
    });

    test("groups created and deleted during a walk: every group that lived through it is listed once", async () => {
      const before = new Set((await store.list(tenantId, undefined, 1, 1000)).groups.map((group) => group.id));
      const remaining = [...before];
      const deleted = new Set<string>();
      const write = async () => {
        const doomed = remaining.splice(Math.floor(Math.random() * remaining.length), 1)[0];
        if (doomed !== undefined) deleted.add(doomed);
        await Promise.all([
          store.create(tenantId, create(GroupSchema, { displayName: `${Math.random() < 0.5 ? "0" : "z"}-new-${randomUUID()}` })),
          ...(doomed === undefined ? [] : [store.delete(tenantId, doomed)]),
        ]);
      };
      const { ids } = await walk({ sortBy: { attribute: "displayName" }, count: 2 }, write);
      assert.equal(new Set(ids).size, ids.length);
      const listed = new Set(ids);
      assert.deepEqual(
        [...before].filter((id) => !deleted.has(id) && !listed.has(id)),
        [],
      );
    });
  });
}
