import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { ErrorReason, ScimRequestSchema, UserSchema } from "@scimgw/proto";
import type { Filter } from "@scimgw/scim";
import type { Knex } from "knex";
import { RpcError, Code } from "@scimgw/grpc";
import { writerOf } from "../database/open-database.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore, type UserStore } from "./user-store.js";

const user = (userName: string, init: MessageInitShape<typeof UserSchema> = {}) => create(UserSchema, { ...init, userName });
const eq = (attribute: string, value: string | boolean | null, subAttribute?: string): Filter => ({
  kind: "compare",
  path: { attribute, ...(subAttribute ? { subAttribute } : {}) },
  operator: "eq",
  value,
});

function rejectsWith(code: Code, reason?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code);
    if (reason) assert.equal(ErrorReason[error.reason], reason);
    return true;
  };
}

for (const storeUnderTest of storesUnderTest)
  describe(`user store on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    let otherTenant = "";

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("t1")).id;
      otherTenant = (await createTenantStore(db).create("t2")).id;
    });
    after(() => dispose());

    test("a create with its activity entry writes four statements: user, sequence claim, activity, change event", async () => {
      // Every write of SQLite queues on one connection, so each statement in a write transaction
      // costs every tenant's writes; the sequence claim reads its new numbers with RETURNING.
      const statements: string[] = [];
      // The tenant's schemas are read at most once a second (TenantSchemaCache), not per write.
      await store.schemas.get(tenant);
      const record = (query: { sql: string }) => {
        if (!/^(begin|commit|rollback|savepoint|release)/i.test(query.sql)) statements.push(query.sql);
      };
      const connections = [db, writerOf(db)?.knex].filter((knex) => knex !== undefined);
      for (const knex of connections) knex.on("query", record);
      const scimRequest = create(ScimRequestSchema, { requestId: "r1", method: "POST", path: "/Users", successStatus: 201 });
      try {
        await store.create(tenant, user("counted@example.com"), { scimRequest });
      } finally {
        for (const knex of connections) knex.removeListener("query", record);
      }
      assert.equal(statements.length, 4, statements.join("\n"));
      assert.match(statements[1]!, /returning/i);
    });

    test("create assigns id and meta; get returns what was stored", async () => {
      const created = await store.create(tenant, user("ada@example.com", { externalId: "ext-1", name: { givenName: "Ada" } }));
      assert.match(created.id, /^[0-9a-f-]{36}$/);
      assert.equal(created.meta?.version, 1n);
      assert.equal(created.active, true, "active defaults to true");
      const read = await store.get(tenant, created.id);
      assert.equal(read.userName, "ada@example.com");
      assert.equal(read.externalId, "ext-1");
      assert.equal(read.name?.givenName, "Ada");
    });

    test("userName is unique per tenant whatever its case or Unicode form", async () => {
      await store.create(tenant, user("Straße.Ünïcode@example.com"));
      for (const variant of ["STRASSE.ÜNÏCODE@EXAMPLE.COM", "straße.ünïcode@example.com", "Straße.Ünïcode@example.com".normalize("NFD")]) {
        await assert.rejects(store.create(tenant, user(variant)), rejectsWith(Code.ALREADY_EXISTS, "UNIQUENESS"), variant);
      }
      await store.create(otherTenant, user("straße.ünïcode@example.com"));
    });

    test("no read, write or delete crosses tenants", async () => {
      const mine = await store.create(tenant, user("mine@example.com"));
      await assert.rejects(store.get(otherTenant, mine.id), rejectsWith(Code.NOT_FOUND));
      await assert.rejects(store.replace(otherTenant, { ...mine, title: "x" }), rejectsWith(Code.NOT_FOUND));
      await assert.rejects(store.delete(otherTenant, mine.id), rejectsWith(Code.NOT_FOUND));
      const listed = await store.list(otherTenant, eq("userName", "mine@example.com"), 1, 10);
      assert.equal(listed.totalResults, 0);
    });

    test("every write bumps the version; a stale expected version is refused without writing", async () => {
      const created = await store.create(tenant, user("versioned@example.com"));
      const replaced = await store.replace(tenant, { ...created, title: "One" }, 1n);
      assert.equal(replaced.meta?.version, 2n);
      await assert.rejects(
        store.replace(tenant, { ...created, title: "Stale" }, 1n),
        rejectsWith(Code.FAILED_PRECONDITION, "VERSION_MISMATCH"),
      );
      assert.equal((await store.get(tenant, created.id)).title, "One");
      const edited = await store.update(tenant, created.id, (current) => ({ ...current, title: "Two" }));
      assert.equal(edited.meta?.version, 3n);
      await assert.rejects(store.delete(tenant, created.id, 2n), rejectsWith(Code.FAILED_PRECONDITION, "VERSION_MISMATCH"));
      await store.delete(tenant, created.id, 3n);
      await assert.rejects(store.get(tenant, created.id), rejectsWith(Code.NOT_FOUND));
    });

    test("renaming onto a taken userName is ALREADY_EXISTS and changes nothing", async () => {
      await store.create(tenant, user("taken@example.com"));
      const other = await store.create(tenant, user("free@example.com"));
      await assert.rejects(store.replace(tenant, { ...other, userName: "TAKEN@example.com" }), rejectsWith(Code.ALREADY_EXISTS));
      assert.equal((await store.get(tenant, other.id)).userName, "free@example.com");
    });

    test("concurrent edits of one user all apply: none is lost", async () => {
      const created = await store.create(tenant, user("counter@example.com", { nickName: "" }));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.update(tenant, created.id, (current) => ({ ...current, nickName: `${current.nickName}${i}` })),
        ),
      );
      const final = await store.get(tenant, created.id);
      assert.equal(final.nickName?.length, 10);
      assert.equal(final.meta?.version, 11n);
    });

    describe("filters compile to SQL", () => {
      let ids: Record<string, string> = {};
      let filterTenant = "";
      before(async () => {
        filterTenant = (await createTenantStore(db).create("filters")).id;
        ids = {};
        for (const [userName, externalId, active] of [
          ["alice@example.com", "A-1", true],
          ["bob_50%@example.com", "b-2", false],
          ["bobby@example.org", "B-2", true],
          ["carol@example.com", null, true],
        ] as const) {
          ids[userName] = (await store.create(filterTenant, user(userName, { active, ...(externalId ? { externalId } : {}) }))).id;
        }
      });
      const cases: Array<[string, Filter, string[]]> = [
        ["userName eq, any case", eq("userName", "ALICE@example.COM"), ["alice@example.com"]],
        ["externalId is caseExact", eq("externalId", "b-2"), ["bob_50%@example.com"]],
        ["id eq", eq("id", "placeholder"), []],
        ["active eq false", eq("active", false), ["bob_50%@example.com"]],
        ["externalId eq null means unassigned", eq("externalId", null), ["carol@example.com"]],
        [
          "co escapes % and _",
          { kind: "compare", path: { attribute: "userName" }, operator: "co", value: "_50%" },
          ["bob_50%@example.com"],
        ],
        ["_ is not a wildcard", { kind: "compare", path: { attribute: "userName" }, operator: "co", value: "b_b" }, []],
        [
          "sw",
          { kind: "compare", path: { attribute: "userName" }, operator: "sw", value: "BOB" },
          ["bob_50%@example.com", "bobby@example.org"],
        ],
        ["ew", { kind: "compare", path: { attribute: "userName" }, operator: "ew", value: ".ORG" }, ["bobby@example.org"]],
        ["pr", { kind: "present", path: { attribute: "externalId" } }, ["alice@example.com", "bob_50%@example.com", "bobby@example.org"]],
        [
          "and/or/not",
          {
            kind: "and",
            left: { kind: "or", left: eq("userName", "alice@example.com"), right: eq("userName", "bobby@example.org") },
            right: { kind: "not", operand: eq("active", false) },
          },
          ["alice@example.com", "bobby@example.org"],
        ],
        [
          "meta.created gt",
          { kind: "compare", path: { attribute: "meta", subAttribute: "created" }, operator: "gt", value: "2000-01-01T00:00:00+01:00" },
          ["alice@example.com", "bob_50%@example.com", "bobby@example.org", "carol@example.com"],
        ],
      ];
      for (const [name, filter, expected] of cases) {
        test(name, async () => {
          const page = await store.list(filterTenant, filter, 1, 100);
          assert.deepEqual(page.users.map((u) => u.userName).sort(), [...expected].sort());
          assert.equal(page.totalResults, expected.length);
        });
      }

      test("a filter on an unknown attribute is a clear invalidFilter", async () => {
        await assert.rejects(store.list(filterTenant, eq("shoeSize", "x"), 1, 10), (error: unknown) => {
          assert.equal((error as { scimType?: string }).scimType, "invalidFilter");
          assert.match(String(error), /shoeSize/);
          return true;
        });
      });

      test("paging is stable and complete, with the total on every page", async () => {
        const all = await store.list(filterTenant, undefined, 1, 100);
        // Creation order; users created in the same millisecond are ordered by id.
        assert.deepEqual(all.users.map((u) => u.id).sort(), Object.values(ids).sort());
        const pages = [await store.list(filterTenant, undefined, 1, 3), await store.list(filterTenant, undefined, 4, 3)];
        assert.deepEqual(
          pages.flatMap((p) => p.users.map((u) => u.id)),
          all.users.map((u) => u.id),
        );
        assert.deepEqual(
          pages.map((p) => p.totalResults),
          [4, 4],
        );
        const past = await store.list(filterTenant, undefined, 50, 3);
        assert.deepEqual([past.users.length, past.totalResults], [0, 4]);
        const countOnly = await store.list(filterTenant, undefined, 1, 0);
        assert.deepEqual([countOnly.users.length, countOnly.totalResults], [0, 4]);
      });
    });
  });
