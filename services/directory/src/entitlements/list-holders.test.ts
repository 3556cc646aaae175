// ListUsersWithEntitlement reads a value's holders from user_assignments (search/user-assignments.ts)
// instead of running its filter over the tenant's users. These tests hold the two to the same
// answer, page by page, on every store: for a population with every way a value or type can be
// spelled (case, ß, Entra's own role type, untyped, empty type, values long enough to be hashed),
// after creates, edits that change and keep the values, deletes, and the migration's backfill.
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import { MultiValuedAttributeSchema, UserSchema, type User } from "@scimgw/proto";
import * as userAssignments from "../database/migrations/0029-create-user-assignments.js";
import { writerOf } from "../database/open-database.js";
import type { KeysetPosition } from "../query/keyset.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { userKeyset } from "../users/compile-user-sort.js";
import type { AssignmentAttribute } from "../search/user-assignments.js";
import { createUserStore } from "../users/user-store.js";
import { holdersFilter } from "./entitlement-service.js";

const long = "v".repeat(240);
// Case, ß against SS, composed against decomposed é, values long enough to be stored hashed, one
// that is another value's hashed key, and the empty value.
const values = [
  "Admin",
  "admin",
  "ADMIN",
  "reader",
  "straße",
  "STRASSE",
  "caf\u00e9",
  "cafe\u0301",
  `${long}A`,
  `${long}a`,
  `${long}B`,
  // The key a long value is stored under, as a value of its own.
  `sha256:${createHash("sha256").update(`${long}a`).digest("hex")}`,
  "",
];
// Untyped, empty and blank types, case, Entra's own role type, and a type long enough to be hashed.
const types = [
  undefined,
  "",
  " ",
  "License",
  "license",
  "LICENSE",
  "Seat",
  "WindowsAzureActiveDirectoryRole",
  "windowsazureactivedirectoryrole",
  `${"t".repeat(230)}Seat`,
];
const asked = ["License", "Seat", "WindowsAzureActiveDirectoryRole", " ", `${"T".repeat(230)}SEAT`, "Nobody"];

/** A small deterministic generator, so a failure names a population that can be made again. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return { pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T, chance: (p: number) => next() < p };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`the holders of entitlements and roles on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
    });
    after(() => dispose());

    /** Every page of a listing, as ids, `count` at a time. */
    async function walk(read: (after: KeysetPosition | undefined) => Promise<{ items: User[]; next: KeysetPosition | undefined }>) {
      const ids: string[] = [];
      let position: KeysetPosition | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const page = await read(position);
        ids.push(...page.items.map((user) => user.id));
        if (page.next === undefined) return ids;
        position = page.next;
      }
      throw new Error("the listing never ended");
    }

    /** Asserts the index and the filter name the same holders in the same order, for every value and type asked. */
    async function assertSameAsFilter(tenantId: string, users: ReturnType<typeof createUserStore>): Promise<number> {
      let holdings = 0;
      for (const attribute of ["entitlements", "roles"] as AssignmentAttribute[])
        for (const type of asked)
          for (const value of values) {
            const filter = holdersFilter(attribute, type, value);
            const byFilter = await walk((position) => users.listAfter(tenantId, filter, userKeyset(undefined), position, 7, false));
            const byIndex = await walk((position) => users.listHoldersAfter(tenantId, { attribute, type, value }, position, 7));
            assert.deepEqual(byIndex, byFilter, `${attribute} ${type} ${value.slice(0, 12)}`);
            holdings += byIndex.length;
          }
      return holdings;
    }

    test("the index names exactly the users the filter finds, through creates, edits, deletes and the backfill", async () => {
      const tenants = createTenantStore(db);
      const tenantId = (await tenants.create("holders")).id;
      const otherId = (await tenants.create("holders-other")).id;
      const users = createUserStore(db);
      const { pick, chance } = generator(20261203);
      // Some items have no value at all: they hold nothing.
      const held = () =>
        Array.from({ length: pick([0, 1, 2, 3]) }, () =>
          create(MultiValuedAttributeSchema, {
            ...(chance(0.95) ? { value: pick(values) } : {}),
            ...(chance(0.9) ? { type: pick(types) } : {}),
          }),
        );
      const created: User[] = [];
      for (let i = 0; i < 60; i++)
        created.push(
          await users.create(tenantId, create(UserSchema, { userName: `holder${i}@example.com`, entitlements: held(), roles: held() })),
        );
      // Another tenant's holders of the same values are never listed.
      await users.create(
        otherId,
        create(UserSchema, { userName: "other@example.com", entitlements: [{ value: "admin", type: "License" }] }),
      );
      assert.ok((await assertSameAsFilter(tenantId, users)) > 0, "some users hold some of the values asked");

      for (const [index, user] of created.entries()) {
        if (index % 5 === 0) await users.delete(tenantId, user.id);
        else if (index % 5 === 1) await users.update(tenantId, user.id, (current) => ({ ...current, entitlements: held(), roles: held() }));
        // The same values in another order and display: the rows stay as they are.
        else if (index % 5 === 2)
          await users.update(tenantId, user.id, (current) => ({
            ...current,
            entitlements: [...current.entitlements].reverse().map((item) => ({ ...item, display: "shown" })),
          }));
        else if (index % 5 === 3) await users.update(tenantId, user.id, (current) => ({ ...current, roles: [] }));
      }
      const holdings = await assertSameAsFilter(tenantId, users);

      // As the database was before the migration, and then after it: the backfill writes the same rows.
      const rows = () =>
        db("user_assignments").orderBy(["tenant_id", "attribute", "value_key", "created_at", "user_id", "type_key"]).select("*");
      const written = await rows();
      const migrating = writerOf(db)?.knex ?? db;
      await userAssignments.down(migrating);
      await userAssignments.up(migrating);
      assert.deepEqual(await rows(), written);
      assert.equal(await assertSameAsFilter(tenantId, users), holdings);
    });

    test("a page leaves out a user whose rows it read but who no longer holds the value, or is gone", async () => {
      // What a page sees when a write lands between its read of the rows and its read of the users.
      const tenantId = (await createTenantStore(db).create("holders-moving")).id;
      const users = createUserStore(db);
      const holder = await users.create(tenantId, create(UserSchema, { userName: "holds@example.com", entitlements: [{ value: "Gold" }] }));
      const stripped = await users.create(tenantId, create(UserSchema, { userName: "stripped@example.com", roles: [{ value: "Gold" }] }));
      const writing = writerOf(db)?.knex ?? db;
      const staleRow = (userId: string, createdAt: string) => ({
        tenant_id: tenantId,
        attribute: "entitlements",
        value_key: "gold",
        type_key: "",
        created_at: createdAt,
        user_id: userId,
      });
      await writing("user_assignments").insert([
        staleRow(stripped.id, (await writing("users").where({ id: stripped.id }).first("created_at")).created_at),
        staleRow("00000000-0000-4000-8000-000000000000", "2000-01-01T00:00:00.000Z"),
      ]);
      const page = await users.listHoldersAfter(tenantId, { attribute: "entitlements", type: "License", value: "GOLD" }, undefined, 2);
      assert.deepEqual(
        page.items.map((user) => user.id),
        [holder.id],
      );
      assert.notEqual(page.next, undefined, "the rows go on: the next page is still offered");
      const rest = await users.listHoldersAfter(tenantId, { attribute: "entitlements", type: "License", value: "GOLD" }, page.next, 2);
      assert.deepEqual(rest.items, []);
      assert.equal(rest.next, undefined);
    });
  });
}
