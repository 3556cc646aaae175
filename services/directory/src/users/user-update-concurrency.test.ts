// User writes with the edit outside the transaction: a write whose caller's deadline passes is
// never committed, a re-sent password changes nothing, and races still end in exact 409s and
// 412s with no update lost, on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ErrorReason, UserSchema, type User } from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore, type UserStore } from "./user-store.js";

const user = (userName: string) => create(UserSchema, { userName });

function rejectsWith(code: Code, reason?: ErrorReason) {
  return (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    if (reason !== undefined) assert.equal(ErrorReason[error.reason], ErrorReason[reason]);
    return true;
  };
}

function counts(outcomes: PromiseSettledResult<unknown>[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status === "fulfilled" ? "ok" : ErrorReason[(outcome.reason as RpcError).reason];
    result[key] = (result[key] ?? 0) + 1;
  }
  return result;
}

for (const storeUnderTest of storesUnderTest)
  describe(`user updates on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    const events = async (resourceId: string) => db("change_events").where({ tenant_id: tenant, resource_id: resourceId }).orderBy("seq");

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("updates")).id;
    });
    after(() => dispose());

    test("a write whose deadline passes during its edit is not committed, and the store serves on", async () => {
      const created = await store.create(tenant, user("slow@example.com"));
      const call = new AbortController();
      const deadline = new RpcError(Code.DEADLINE_EXCEEDED, "the call's deadline passed");
      // The edit is where a huge PATCH spends its time; the deadline passes while it runs.
      const slowEdit = (current: User): User => {
        call.abort(deadline);
        return { ...current, title: "too late" };
      };
      await assert.rejects(store.update(tenant, created.id, slowEdit, undefined, { signal: call.signal }), (error) => error === deadline);
      const stored = await store.get(tenant, created.id);
      assert.equal(stored.title, undefined);
      assert.equal(stored.meta?.version, 1n);
      assert.equal((await events(created.id)).length, 1, "only the create's event");
      // An already expired call starts nothing at all.
      await assert.rejects(store.create(tenant, user("never@example.com"), { signal: call.signal }), (error) => error === deadline);
      await assert.rejects(store.getBy(tenant, "userName", "never@example.com"), rejectsWith(Code.NOT_FOUND));
      assert.equal((await store.update(tenant, created.id, (current) => ({ ...current, title: "in time" }))).title, "in time");
    });

    test("an unchanged password is verified, not re-hashed: same version, no event; a new one moves both", async () => {
      const created = await store.create(tenant, create(UserSchema, { userName: "pw@example.com", password: "correct horse" }));
      const hashOf = async () => (await db("users").where({ tenant_id: tenant, id: created.id }).first("password_hash")).password_hash;
      const storedHash = await hashOf();
      const again = await store.replace(
        tenant,
        create(UserSchema, { id: created.id, userName: "pw@example.com", password: "correct horse" }),
      );
      assert.equal(again.meta?.version, 1n);
      assert.equal(await hashOf(), storedHash);
      assert.equal((await events(created.id)).length, 1);
      const changed = await store.replace(
        tenant,
        create(UserSchema, { id: created.id, userName: "pw@example.com", password: "battery staple" }),
      );
      assert.equal(changed.meta?.version, 2n);
      assert.notEqual(await hashOf(), storedHash);
      const [, event] = await events(created.id);
      assert.deepEqual(JSON.parse(event.changed_attributes), ["password"]);
    });

    test("racing edits without a version all apply, one after another", async () => {
      const created = await store.create(tenant, user("merge@example.com"));
      const writers = 10;
      const outcomes = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) =>
          store.update(tenant, created.id, (current) => ({
            ...current,
            emails: [
              ...current.emails,
              { $typeName: "scimgw.directory.v1.MultiValuedAttribute", value: `w${i}@example.com` },
            ] as User["emails"],
          })),
        ),
      );
      assert.deepEqual(counts(outcomes), { ok: writers });
      const final = await store.get(tenant, created.id);
      assert.equal(final.emails.length, writers);
      assert.equal(final.meta?.version, BigInt(1 + writers));
      assert.deepEqual(
        (await events(created.id)).map((event) => Number(event.version)),
        Array.from({ length: writers + 1 }, (_, i) => i + 1),
      );
    });

    test("racing edits of one version: exactly one wins, the others get VERSION_MISMATCH", async () => {
      const created = await store.create(tenant, user("cas@example.com"));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.update(tenant, created.id, (current) => ({ ...current, title: `writer ${i}` }), 1n)),
      );
      assert.deepEqual(counts(outcomes), { ok: 1, VERSION_MISMATCH: 7 });
      assert.equal((await store.get(tenant, created.id)).meta?.version, 2n);
    });

    test("racing renames to one userName: exactly one wins, the others get UNIQUENESS", async () => {
      const ids = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => (await store.create(tenant, user(`rename${i}@example.com`))).id),
      );
      const outcomes = await Promise.allSettled(
        ids.map((id, i) =>
          store.update(tenant, id, (current) => ({ ...current, userName: i % 2 ? "TAKEN@example.com" : "taken@example.com" })),
        ),
      );
      assert.deepEqual(counts(outcomes), { ok: 1, UNIQUENESS: 5 });
    });
  });
