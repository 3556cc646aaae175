import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ListUsersRequestSchema, SortOrder, UserSchema } from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import { parseFilter, resolveFilter, userResourceType } from "@scimgw/scim";
import { filterToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { dialectOf } from "../database/open-database.js";
import { toDirectoryError } from "../errors/directory-errors.js";
import { defaultCursorPageSize, maxPageSize } from "../query/list-paging.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "./user-service.js";
import { createUserStore, type UserStore } from "./user-store.js";
import { userNameKey } from "./user-name-key.js";
import { userContent, type UserRow } from "./user-row.js";

type ListRequest = MessageInitShape<typeof ListUsersRequestSchema>;

const filter = (text: string) => filterToProto(resolveFilter(parseFilter(text), userResourceType));

function rejectsWith(code: Code, message?: RegExp) {
  return (thrown: unknown) => {
    const error = toDirectoryError(thrown);
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

/**
 * Rows written straight to the table, with chosen instants: many share a created_at (so the id
 * must break ties) and lastModified runs backwards against creation.
 */
async function seed(db: Knex, tenantId: string, users: Array<{ userName: string; externalId?: string }>): Promise<void> {
  const rows: UserRow[] = users.map((init, i) => {
    const created = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 4))).toISOString();
    const modified = new Date(Date.UTC(2026, 1, 1, 0, 0, users.length - Math.floor(i / 3))).toISOString();
    return {
      tenant_id: tenantId,
      id: randomUUID(),
      ...userContent(create(UserSchema, init)),
      password_hash: null,
      version: 1,
      created_at: created,
      last_modified: modified,
    };
  });
  await db.batchInsert("users", rows, 200);
}

/** Names whose order differs between code points, case-folding and common locales, to catch a collation mismatch. */
const awkwardUserNames = [
  "alice",
  "Bob",
  "_under",
  "-dash",
  "Zed",
  "zoe",
  "émile",
  "Eve",
  "ÅSA",
  "a.b",
  "a-b",
  "a_b",
  "aB0",
  "0num",
  "~tilde",
  "日本",
  "😀emoji",
  "ä",
  "A b",
  "ab",
  "Ab c",
  "ǅ",
  "ſ-long-s",
  "İstanbul",
  "z",
  "Z-",
  "",
].filter((name) => name !== "");

for (const storeUnderTest of storesUnderTest) {
  describe(`ListUsers with cursor paging on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let service: ReturnType<typeof createUserService>;
    let tenantId = "";
    let otherTenantId = "";

    const list = (request: ListRequest) => service.listUsers(create(ListUsersRequestSchema, { tenantId, ...request }), undefined as never);

    /** Every page of a cursor walk, running `during` beside each page read. */
    async function walk(
      request: ListRequest,
      during?: () => Promise<unknown>,
    ): Promise<{ ids: string[]; userNames: string[]; pages: number }> {
      const ids: string[] = [];
      const userNames: string[] = [];
      let pageToken = "";
      for (let pages = 1; pages < 10_000; pages++) {
        const [page] = await Promise.all([list({ ...request, pageToken }), during?.()]);
        ids.push(...(page.users ?? []).map((user) => user.id!));
        userNames.push(...(page.users ?? []).map((user) => user.userName!));
        if (page.nextPageToken === "" || page.nextPageToken === undefined) return { ids, userNames, pages };
        pageToken = page.nextPageToken;
      }
      throw new Error("the walk did not end");
    }

    /** The same listing by SCIM offset, in one page: the order cursor paging must reproduce. */
    async function offsetOrder(request: ListRequest): Promise<string[]> {
      return ((await list({ ...request, startIndex: 1n, count: maxPageSize })).users ?? []).map((user) => user.id!);
    }

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      service = createUserService(store);
      tenantId = (await createTenantStore(db).create("cursor")).id;
      otherTenantId = (await createTenantStore(db).create("other")).id;
      await seed(
        db,
        tenantId,
        awkwardUserNames.map((userName, i) => ({
          userName,
          // A third without externalId, some sharing one, and values differing only in case.
          ...(i % 3 === 0 ? {} : { externalId: i % 5 === 0 ? "shared" : i % 2 === 0 ? `X-${i}` : `x-${i}` }),
        })),
      );
    });
    after(() => dispose());

    const sorts: Array<[string, ListRequest]> = [
      ["creation order (no sort_by)", {}],
      ["userName ascending", { sortBy: { attribute: "userName" } }],
      ["userName descending", { sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING }],
      ["externalId ascending (unassigned last)", { sortBy: { attribute: "externalId" } }],
      ["externalId descending (unassigned first)", { sortBy: { attribute: "externalId" }, sortOrder: SortOrder.DESCENDING }],
      ["meta.created descending", { sortBy: { attribute: "meta", subAttribute: "created" }, sortOrder: SortOrder.DESCENDING }],
      ["meta.lastModified ascending", { sortBy: { attribute: "meta", subAttribute: "lastModified" } }],
      ["id descending", { sortBy: { attribute: "id" }, sortOrder: SortOrder.DESCENDING }],
      ["a filter and a sort", { filter: filter('userName sw "a" or externalId pr'), sortBy: { attribute: "externalId" } }],
    ];
    for (const [name, request] of sorts) {
      test(`${name}: pages of 3 list every user once, in the offset listing's order`, async () => {
        const expected = await offsetOrder(request);
        assert.ok(expected.length > 10);
        const walked = await walk({ ...request, count: 3 });
        assert.deepEqual(walked.ids, expected);
        assert.equal(walked.pages, Math.ceil(expected.length / 3));
      });
    }

    test("userName sorts by the folded name's code points, identically on every store", async () => {
      const expected = [...awkwardUserNames].sort((a, b) => Buffer.compare(Buffer.from(userNameKey(a)), Buffer.from(userNameKey(b))));
      assert.deepEqual((await walk({ sortBy: { attribute: "userName" }, count: 4 })).userNames, expected);
    });

    test("externalId: unassigned values come last ascending and first descending", async () => {
      const unassigned = awkwardUserNames.filter((_, i) => i % 3 === 0).length;
      const ascending = await walk({ sortBy: { attribute: "externalId" }, count: 2 });
      const descending = await walk({ sortBy: { attribute: "externalId" }, sortOrder: SortOrder.DESCENDING, count: 2 });
      const externalIdOf = new Map((await list({ startIndex: 1n, count: 100 })).users!.map((user) => [user.id!, user.externalId]));
      assert.deepEqual(
        ascending.ids.slice(-unassigned).map((id) => externalIdOf.get(id)),
        Array(unassigned).fill(undefined),
      );
      assert.deepEqual(
        descending.ids.slice(0, unassigned).map((id) => externalIdOf.get(id)),
        Array(unassigned).fill(undefined),
      );
    });

    test("the last page has no next token, also when it is exactly full", async () => {
      const everyone = awkwardUserNames.length;
      const one = await list({ count: everyone });
      assert.equal(one.users!.length, everyone);
      assert.equal(one.nextPageToken, "");
      const first = await list({ count: everyone - 1 });
      const last = await list({ count: everyone - 1, pageToken: first.nextPageToken! });
      assert.deepEqual([last.users!.length, last.nextPageToken], [1, ""]);
    });

    test("total_results is counted only when asked for; offset paging always counts", async () => {
      assert.equal((await list({ count: 2 })).totalResults, 0n);
      assert.equal((await list({ count: 2, includeTotalResults: true })).totalResults, BigInt(awkwardUserNames.length));
      assert.equal((await list({ count: 2, filter: filter('userName sw "z"'), includeTotalResults: true })).totalResults, 4n);
      assert.equal((await list({ startIndex: 1n, count: 2 })).totalResults, BigInt(awkwardUserNames.length));
    });

    test("a start_index past 2^31 - 1 (up to int64's largest) is an empty page past the end, as SCIM clamps it", async () => {
      for (const startIndex of [2n ** 31n, 2n ** 53n + 1n, 2n ** 63n - 1n]) {
        const page = await list({ startIndex, count: 5 });
        assert.deepEqual([page.users?.length ?? 0, page.totalResults], [0, BigInt(awkwardUserNames.length)], String(startIndex));
      }
    });

    test("a token resumes only the listing that issued it", async () => {
      const byName = await list({ sortBy: { attribute: "userName" }, count: 2 });
      const token = byName.nextPageToken!;
      const differentListing = /different listing/;
      await assert.rejects(
        list({ sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING, pageToken: token }),
        rejectsWith(Code.INVALID_ARGUMENT, differentListing),
      );
      await assert.rejects(
        list({ sortBy: { attribute: "externalId" }, pageToken: token }),
        rejectsWith(Code.INVALID_ARGUMENT, differentListing),
      );
      await assert.rejects(list({ pageToken: token }), rejectsWith(Code.INVALID_ARGUMENT, differentListing));
      await assert.rejects(
        list({ sortBy: { attribute: "userName" }, filter: filter("active eq true"), pageToken: token }),
        rejectsWith(Code.INVALID_ARGUMENT, differentListing),
      );
      await assert.rejects(
        list({ tenantId: otherTenantId, sortBy: { attribute: "userName" }, pageToken: token }),
        rejectsWith(Code.INVALID_ARGUMENT, differentListing),
      );
      // The same listing spelled differently is the same listing.
      const next = await list({ sortBy: { attribute: "USERNAME" }, sortOrder: SortOrder.ASCENDING, count: 2, pageToken: token });
      assert.equal(next.users!.length, 2);
    });

    test("a malformed token is INVALID_ARGUMENT, never a failure or a silent restart", async () => {
      const valid = (await list({ count: 1 })).nextPageToken!;
      const body = JSON.parse(Buffer.from(valid, "base64url").toString()) as { v: number; q: string; k: unknown[] };
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const cases: Array<[string, string, RegExp]> = [
        ["not base64url", "not a token!", /not a token this service issued/],
        ["not JSON", Buffer.from("{nope").toString("base64url"), /not a token this service issued/],
        ["JSON of another shape", encode([1, 2, 3]), /not a token this service issued/],
        ["another version", encode({ ...body, v: 2 }), /format version 2/],
        ["too few keys", encode({ ...body, k: body.k.slice(1) }), /not a token this service issued/],
        ["a null id", encode({ ...body, k: [body.k[0], null] }), /not a token this service issued/],
        ["a number for a key", encode({ ...body, k: [1, body.k[1]] }), /not a token this service issued/],
        ["too long", "A".repeat(40_000), /not a token this service issued/],
      ];
      for (const [name, pageToken, message] of cases) {
        await assert.rejects(list({ count: 1, pageToken }), rejectsWith(Code.INVALID_ARGUMENT, message), name);
      }
    });

    test("start_index and page_token together are INVALID_ARGUMENT", async () => {
      const { nextPageToken } = await list({ count: 1 });
      await assert.rejects(
        list({ startIndex: 2n, count: 1, pageToken: nextPageToken! }),
        rejectsWith(Code.INVALID_ARGUMENT, /exclude each other/),
      );
    });

    test("cursor paging refuses sorts it cannot resume, naming the attribute; offset paging still sorts by them", async () => {
      for (const [sortBy, named] of [
        [{ attribute: "title" }, /"title"/],
        [{ attribute: "name", subAttribute: "familyName" }, /"name\.familyName"/],
        [{ attribute: "emails" }, /"emails"/],
        [{ attribute: "active" }, /"active"/],
        [{ schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", attribute: "employeeNumber" }, /employeeNumber/],
      ] as const) {
        await assert.rejects(list({ sortBy }), rejectsWith(Code.INVALID_ARGUMENT, named));
        assert.ok((await list({ sortBy, startIndex: 1n, count: 1 })).users!.length === 1);
      }
      await assert.rejects(list({ sortBy: { attribute: "shoeSize" } }), rejectsWith(Code.INVALID_ARGUMENT, /shoeSize/));
    });
  });

  describe(`cursor paging under concurrent writes on ${storeUnderTest.name}`, () => {
    const size = 2000;
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let service: ReturnType<typeof createUserService>;
    let tenantId = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      service = createUserService(store);
      tenantId = (await createTenantStore(db).create("busy")).id;
      await seed(
        db,
        tenantId,
        Array.from({ length: size }, (_, i) => ({ userName: `user-${String((i * 7919) % size).padStart(4, "0")}@example.com` })),
      );
      if (dialectOf(db) === "postgres") await db.raw("analyze users");
    });
    after(() => dispose());

    const list = (request: ListRequest) => service.listUsers(create(ListUsersRequestSchema, { tenantId, ...request }), undefined as never);

    /** The plan of the query a later page runs: it must start an index range at the position. */
    async function planOfSecondPage(request: ListRequest): Promise<string> {
      const { nextPageToken } = await list({ ...request, count: 10 });
      const queries: Array<{ sql: string; bindings: Knex.RawBinding[] }> = [];
      const record = (query: { sql: string; bindings: Knex.RawBinding[] }) => queries.push(query);
      db.on("query", record);
      try {
        await list({ ...request, count: 10, pageToken: nextPageToken! });
      } finally {
        db.removeListener("query", record);
      }
      // The page's own query, as the statement that also reads the users' groups holds it in a
      // derived table: its bindings follow the outer select's one (the tenant of the change
      // sequence column); the groups column and the outer ORDER BY of a keyset have none.
      const statement = queries.find((query) => / from \(select \* from .users. where/.test(query.sql))!;
      const page = {
        sql: statement.sql.replace(/^.* from \((select \* from .users. where.*)\) as .users. order by .*$/s, "$1"),
        bindings: statement.bindings.slice(1),
      };
      if (dialectOf(db) === "sqlite") {
        const rows = (await db.raw(`EXPLAIN QUERY PLAN ${page.sql}`, page.bindings)) as Array<{ detail: string }>;
        return rows.map((row) => row.detail).join("\n");
      }
      // PostgreSQL's native placeholders back into knex's.
      const result = (await db.raw(`EXPLAIN ${page.sql.replace(/\$\d+/g, "?")}`, page.bindings)) as {
        rows: Array<{ "QUERY PLAN": string }>;
      };
      return result.rows.map((row) => row["QUERY PLAN"]).join("\n");
    }

    test("a later page is an index range from the position, not a scan from the start", async () => {
      const sqlite = dialectOf(db) === "sqlite";
      const byCreation = await planOfSecondPage({});
      assert.match(
        byCreation,
        sqlite
          ? /users_tenant_created_at_index \(tenant_id=\? AND created_at>\?\)/
          : /users_tenant_created_at_index[\s\S]*Index Cond: .*created_at >= /,
        byCreation,
      );
      const byName = await planOfSecondPage({ sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING });
      assert.match(
        byName,
        sqlite
          ? /users_tenant_user_name_key_unique \(tenant_id=\? AND user_name_key<\?\)/
          : /users_tenant_user_name_key_unique[\s\S]*Index Cond: .*user_name_key <= /,
        byName,
      );
      const byModified = await planOfSecondPage({ sortBy: { attribute: "meta", subAttribute: "lastModified" } });
      assert.match(byModified, /users_tenant_last_modified_order_index/, byModified);
      assert.doesNotMatch(byModified, /TEMP B-TREE|Sort Key/i, byModified);
    });

    test(`count 0 means ${defaultCursorPageSize}; counts above ${maxPageSize} are capped`, async () => {
      assert.equal((await list({})).users!.length, defaultCursorPageSize);
      assert.equal((await list({ count: 5000 })).users!.length, maxPageSize);
    });

    for (const [name, request] of [
      ["creation order", {}],
      ["userName ascending", { sortBy: { attribute: "userName" } }],
      ["userName descending", { sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING }],
    ] as Array<[string, ListRequest]>) {
      test(`${name}: inserts and deletes beside every page skip and repeat no user that lived through the walk`, async () => {
        const before = new Set((await store.list(tenantId, undefined, 1, 100_000)).users.map((user) => user.id));
        const deleted = new Set<string>();
        const remaining = [...before];
        let serial = 0;
        // Beside each page: three new users, whose names land before and after the cursor, and
        // two deletions of users that were there at the start.
        const write = async () => {
          const names = Array.from(
            { length: 3 },
            () => `${Math.random() < 0.5 ? "a" : "z"}-new-${serial++}-${randomUUID().slice(0, 8)}@example.com`,
          );
          const doomed = [0, 1].map(() => remaining.splice(Math.floor(Math.random() * remaining.length), 1)[0]!);
          for (const id of doomed) deleted.add(id);
          await Promise.all([
            ...names.map((userName) => store.create(tenantId, create(UserSchema, { userName }))),
            ...doomed.map((id) => store.delete(tenantId, id)),
          ]);
        };
        const seen: string[] = [];
        let pageToken = "";
        for (;;) {
          const [page] = await Promise.all([list({ ...request, count: 100, pageToken }), write()]);
          seen.push(...page.users!.map((user) => user.id!));
          if (page.nextPageToken === "") break;
          pageToken = page.nextPageToken!;
        }
        assert.equal(new Set(seen).size, seen.length, "no user is listed twice");
        const survivors = [...before].filter((id) => !deleted.has(id));
        const listed = new Set(seen);
        assert.deepEqual(
          survivors.filter((id) => !listed.has(id)),
          [],
          "every user that lived through the walk is listed",
        );
        assert.ok(deleted.size >= 2 * 20);
      });
    }
  });
}
