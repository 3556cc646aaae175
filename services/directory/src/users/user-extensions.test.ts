// A tenant's extension attributes through the user service, on every store: each characteristic
// enforced as for core attributes, unique values decided by the store's index under races, writes
// refused when the schema revision they were validated by is no longer the tenant's, extension
// values typed over gRPC, and the change feed naming extension attributes by their full path.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type JsonObject } from "@bufbuild/protobuf";
import {
  CreateGroupRequestSchema,
  CreateUserRequestSchema,
  DeleteUserRequestSchema,
  ErrorReason,
  ListGroupsRequestSchema,
  ListUsersRequestSchema,
  PatchUserRequestSchema,
  ReplaceUserRequestSchema,
  UserSchema,
  type User,
} from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import { attribute, parseFilter, parsePatchRequest, resolveFilter, type JsonValue } from "@scimgw/scim";
import { filterToProto, patchOperationsToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { toDirectoryError } from "../errors/directory-errors.js";
import { createGroupService } from "../groups/group-service.js";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantSchemaCache } from "../schemas/tenant-schema-cache.js";
import { hidingNeverReturned } from "../schemas/hide-never-returned.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { acmeUser, acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "./user-service.js";
import { createUserStore, type UserStore } from "./user-store.js";

const licence = "urn:ietf:params:scim:schemas:extension:acme:2.0:Licence";
const acmeGroup = "urn:ietf:params:scim:schemas:extension:acme:2.0:Group";

const patchOp = (...Operations: unknown[]) =>
  patchOperationsToProto(parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations }));

/** Whether a call failed with this status and reason, as a caller sees it (through toDirectoryError). */
function failsWith(code: Code, reason: keyof typeof ErrorReason, detail?: RegExp) {
  return (thrown: unknown) => {
    const error = toDirectoryError(thrown);
    assert.ok(error instanceof RpcError, String(thrown));
    assert.equal(Code[error.code], Code[code], error.message);
    assert.equal(ErrorReason[error.reason], reason, error.message);
    if (detail !== undefined) assert.match(error.message, detail);
    return true;
  };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`tenant extension attributes through the user service on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    let store: UserStore;
    let service: ReturnType<typeof createUserService>;
    let revision = 0n;
    let counter = 0;

    const acme = (user: User): JsonObject | undefined => user.extensions[acmeUser];
    const createUser = (values: JsonObject | undefined, more: Partial<Record<string, JsonObject>> = {}, schemaRevision = 0n) =>
      service.createUser(
        create(CreateUserRequestSchema, {
          tenantId,
          schemaRevision,
          user: { userName: `user${++counter}@example.com`, extensions: { ...(values ? { [acmeUser]: values } : {}), ...more } },
        }),
        undefined as never,
      );
    const created = async (values: JsonObject | undefined) => (await createUser(values)).user as User;
    const patch = (id: string, ...operations: unknown[]) =>
      service.patchUser(create(PatchUserRequestSchema, { tenantId, id, operations: patchOp(...operations) }), undefined as never);
    const replace = (user: User, values: JsonObject | undefined) =>
      service.replaceUser(
        create(ReplaceUserRequestSchema, {
          tenantId,
          user: { id: user.id, userName: user.userName, extensions: values ? { [acmeUser]: values } : {} },
        }),
        undefined as never,
      );
    const userCount = async () => Number((await db("users").where("tenant_id", tenantId).count({ n: "*" }).first())?.n);

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("extensions")).id;
      // Revalidated on every call, so a schema registered by a test is seen at once.
      store = createUserStore(db, undefined, undefined, undefined, createTenantSchemaCache(db, { revalidateAfterMs: 0, maxTenants: 10 }));
      service = createUserService(store);
      await registerExtension(db, tenantId, acmeUserExtension);
      revision = await registerExtension(db, tenantId, {
        resourceType: "User",
        required: false,
        schema: {
          id: licence,
          name: "Licence",
          description: "",
          attributes: [attribute("plan", "string", { required: true }), attribute("seats", "integer")],
        },
      });
    });
    after(() => dispose());

    test("type: values are checked and typed by the schema, and travel typed in User.extensions", async () => {
      const user = await created({ seats: 3, ratio: 0.25, vip: true, hiredAt: "2024-01-01T00:30:00.5+01:00" });
      assert.deepEqual(acme(user), { seats: 3, ratio: 0.25, vip: true, hiredAt: "2023-12-31T23:30:00.5Z" });
      const read = await store.get(tenantId, user.id);
      assert.deepEqual(acme(read), acme(user));
      await assert.rejects(createUser({ seats: "3" }), failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /seats must be an integer/));
      await assert.rejects(createUser({ vip: "yes" }), failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /vip must be a boolean/));
    });

    test("multiValued: a list for a multi-valued attribute, never for a single-valued one", async () => {
      assert.deepEqual(acme(await created({ regions: ["eu", "us"] })), { regions: ["eu", "us"] });
      await assert.rejects(createUser({ regions: "eu" }), failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /regions is multi-valued/));
      await assert.rejects(createUser({ code: ["a"] }), failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /code is single-valued/));
    });

    test("required: an extension's required attribute must come with it, and PATCH cannot remove it", async () => {
      const before = await userCount();
      await assert.rejects(
        createUser(undefined, { [licence]: { seats: 2 } }),
        failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /Licence:plan is required/),
      );
      assert.equal(await userCount(), before);
      const user = (await createUser(undefined, { [licence]: { plan: "pro" } })).user as User;
      await assert.rejects(
        patch(user.id, { op: "remove", path: `${licence}:plan` }),
        failsWith(Code.INVALID_ARGUMENT, "MUTABILITY", /plan is required/),
      );
    });

    test("mutability readOnly: a value sent is ignored, and PATCH may not set it", async () => {
      const user = await created({ score: 5, seats: 1 });
      assert.deepEqual(acme(user), { seats: 1 });
      await assert.rejects(
        patch(user.id, { op: "add", path: `${acmeUser}:score`, value: 9 }),
        failsWith(Code.INVALID_ARGUMENT, "MUTABILITY", /score is readOnly/),
      );
    });

    test("mutability immutable: set once, then PUT and PATCH may only repeat it", async () => {
      const user = await created({ badge: "IMM-1" });
      await assert.rejects(replace(user, { badge: "IMM-2" }), failsWith(Code.INVALID_ARGUMENT, "MUTABILITY", /badge is immutable/));
      await assert.rejects(
        patch(user.id, { op: "replace", path: `${acmeUser}:badge`, value: "IMM-2" }),
        failsWith(Code.INVALID_ARGUMENT, "MUTABILITY", /badge is immutable/),
      );
      // The same value, or none (kept), replaces fine.
      assert.equal(acme((await replace(user, { badge: "IMM-1", seats: 2 })).user as User)?.["badge"], "IMM-1");
      assert.deepEqual(acme((await replace(user, undefined)).user as User), { badge: "IMM-1" });
      // Unset, it may be set by a PATCH.
      const unset = await created({ seats: 1 });
      assert.equal(
        acme((await patch(unset.id, { op: "add", path: `${acmeUser}:badge`, value: "IMM-3" })).user as User)?.["badge"],
        "IMM-3",
      );
    });

    test("mutability writeOnly: accepted and stored, and never in an answer (returned never)", async () => {
      const answering = hidingNeverReturned(store.schemas, service);
      const createAnswered = async (values: JsonObject) =>
        (
          await answering.createUser(
            create(CreateUserRequestSchema, {
              tenantId,
              user: { userName: `user${++counter}@example.com`, extensions: { [acmeUser]: values } },
            }),
            undefined as never,
          )
        ).user as User;
      const user = await createAnswered({ secret: "s3cret", seats: 2 });
      assert.deepEqual(acme(user), { seats: 2 });
      assert.equal(acme(await store.get(tenantId, user.id))?.["secret"], "s3cret");
      const listed = (await answering.listUsers(create(ListUsersRequestSchema, { tenantId, count: 1000 }), undefined as never))
        .users as User[];
      assert.ok(listed.some((u) => u.id === user.id));
      assert.ok(listed.every((u) => acme(u)?.["secret"] === undefined));
      // Only the secret was set: the extension's object goes away with it rather than answering empty.
      assert.equal(acme(await createAnswered({ secret: "x" })), undefined);
    });

    test("caseExact: filters compare a caseExact attribute exactly and others folded", async () => {
      await created({ code: "CaseX", tier: "Bronze" });
      const names = async (text: string) => {
        const { user } = await store.schemas.get(tenantId);
        const filter = filterToProto(resolveFilter(parseFilter(text), user));
        const page = await service.listUsers(create(ListUsersRequestSchema, { tenantId, filter, count: 100 }), undefined as never);
        return page.users?.length ?? 0;
      };
      assert.equal(await names(`${acmeUser}:code eq "CaseX"`), 1);
      assert.equal(await names(`${acmeUser}:code eq "casex"`), 0);
      assert.equal(await names(`${acmeUser}:tier eq "BRONZE"`), 1);
    });

    test("canonicalValues: a value outside them is refused, naming the attribute and the values", async () => {
      assert.equal(acme(await created({ tier: "SILVER" }))?.["tier"], "SILVER");
      await assert.rejects(
        createUser({ tier: "platinum" }),
        failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /tier must be one of its canonicalValues "gold", "silver", "bronze"/),
      );
    });

    test("uniqueness server: a taken value is ALREADY_EXISTS naming the attribute, compared per caseExact, freed by change and delete", async () => {
      const holder = await created({ badge: "Uniq-1", pin: "Pin-1" });
      await assert.rejects(
        createUser({ badge: "UNIQ-1" }),
        failsWith(Code.ALREADY_EXISTS, "UNIQUENESS", /badge "UNIQ-1" is already taken/),
      );
      try {
        await createUser({ badge: "uniq-1" });
        assert.fail("a case variant of a caseExact-false unique value was accepted");
      } catch (error) {
        const rpc = toDirectoryError(error) as RpcError;
        assert.equal(rpc.metadata["attribute"], `${acmeUser}:badge`);
      }
      // pin is caseExact: another case is another value.
      await created({ pin: "PIN-1" });
      const other = await created({ seats: 1 });
      await assert.rejects(
        patch(other.id, { op: "add", path: `${acmeUser}:pin`, value: "Pin-1" }),
        failsWith(Code.ALREADY_EXISTS, "UNIQUENESS", /pin/),
      );
      // Changing the holder's pin frees the old one; deleting the holder frees its badge.
      await patch(holder.id, { op: "replace", path: `${acmeUser}:pin`, value: "Pin-2" });
      await patch(other.id, { op: "add", path: `${acmeUser}:pin`, value: "Pin-1" });
      await service.deleteUser(create(DeleteUserRequestSchema, { tenantId, id: holder.id }), undefined as never);
      await created({ badge: "uniq-1" });
    });

    test("uniqueness server under a race: of many creates of one value, exactly one succeeds", async () => {
      const before = await userCount();
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => createUser({ badge: "RACE-1" })));
      const won = results.filter((result) => result.status === "fulfilled");
      assert.equal(won.length, 1, JSON.stringify(results.map((result) => result.status)));
      for (const result of results) if (result.status === "rejected") failsWith(Code.ALREADY_EXISTS, "UNIQUENESS")(result.reason);
      assert.equal(await userCount(), before + 1);
    });

    test("an extension the tenant has not registered is refused, not dropped", async () => {
      await assert.rejects(
        createUser(undefined, { "urn:example:unknown:User": { a: "b" } }),
        failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /urn:example:unknown:User/),
      );
    });

    test("a write by a schema revision that is not current is SCHEMA_CHANGED, and nothing is written", async () => {
      const before = await userCount();
      await assert.rejects(createUser({ seats: 1 }, {}, revision - 1n), (error) => {
        failsWith(Code.FAILED_PRECONDITION, "SCHEMA_CHANGED")(error);
        const rpc = toDirectoryError(error) as RpcError;
        assert.deepEqual(rpc.metadata, { expected: String(revision - 1n), actual: String(revision) });
        return true;
      });
      await assert.rejects(createUser({ seats: 1 }, {}, revision + 1n), failsWith(Code.FAILED_PRECONDITION, "SCHEMA_CHANGED"));
      assert.equal(await userCount(), before);
      // At the current revision it is written.
      await createUser({ seats: 1 }, {}, revision);
      assert.equal(await userCount(), before + 1);
    });

    test("a write validated by a revision that changes before it commits is rolled back with SCHEMA_CHANGED", async () => {
      const stale = await store.schemas.get(tenantId);
      const user = await created({ seats: 1 });
      const rival = "urn:ietf:params:scim:schemas:extension:acme:2.0:Rival";
      revision = await registerExtension(db, tenantId, {
        resourceType: "User",
        required: false,
        schema: { id: rival, name: "Rival", description: "", attributes: [attribute("x", "string")] },
      });
      const before = await userCount();
      await assert.rejects(
        store.create(tenantId, create(UserSchema, { userName: "stale@example.com" }), { schema: stale }),
        failsWith(Code.FAILED_PRECONDITION, "SCHEMA_CHANGED"),
      );
      await assert.rejects(
        store.update(tenantId, user.id, (current) => ({ ...current, title: "stale" }), undefined, { schema: stale }),
        failsWith(Code.FAILED_PRECONDITION, "SCHEMA_CHANGED"),
      );
      assert.equal(await userCount(), before);
      assert.equal((await store.get(tenantId, user.id)).title, undefined);
    });

    test("a write sent with revision 0 by a stale cache is validated again by the current schemas", async () => {
      // A cache that would hold the tenant's types for an hour.
      const slow = createUserStore(
        db,
        undefined,
        undefined,
        undefined,
        createTenantSchemaCache(db, { revalidateAfterMs: 3_600_000, maxTenants: 10 }),
      );
      const slowService = createUserService(slow);
      await slow.schemas.get(tenantId);
      const late = "urn:ietf:params:scim:schemas:extension:acme:2.0:Late";
      revision = await registerExtension(db, tenantId, {
        resourceType: "User",
        required: false,
        schema: { id: late, name: "Late", description: "", attributes: [attribute("y", "integer")] },
      });
      const { user } = await slowService.createUser(
        create(CreateUserRequestSchema, { tenantId, user: { userName: "late@example.com", extensions: { [late]: { y: 7 } } } }),
        undefined as never,
      );
      assert.deepEqual(user?.extensions?.[late], { y: 7 });
    });

    test("sorting by extension attributes orders as their values compare, unassigned last", async () => {
      const sortTenant = (await createTenantStore(db).create(`sorting-${storeUnderTest.name}`)).id;
      await registerExtension(db, sortTenant, acmeUserExtension);
      const values: Array<[string, JsonObject | undefined]> = [
        ["a", { tier: "silver", seats: 10, hiredAt: "2020-01-01T00:00:00.0000002Z", code: "b", regions: ["US", "eu"] }],
        ["b", { tier: "Gold", seats: 9, hiredAt: "2020-01-01T00:00:00.0000001Z", code: "B", regions: ["eu"] }],
        ["c", { tier: "bronze", seats: 100, hiredAt: "2019-06-01T00:00:00+02:00", code: "a" }],
        ["d", undefined],
      ];
      for (const [userName, extension] of values) {
        await service.createUser(
          create(CreateUserRequestSchema, {
            tenantId: sortTenant,
            user: { userName, extensions: extension ? { [acmeUser]: extension } : {} },
          }),
          undefined as never,
        );
      }
      const order = async (attribute: string) =>
        (await store.list(sortTenant, undefined, 1, 10, { by: { schema: acmeUser, attribute }, order: "ascending" })).users.map(
          (user) => user.userName,
        );
      assert.deepEqual(await order("tier"), ["c", "b", "a", "d"]);
      assert.deepEqual(await order("seats"), ["b", "a", "c", "d"]);
      assert.deepEqual(await order("hiredAt"), ["c", "b", "a", "d"]);
      assert.deepEqual(await order("code"), ["b", "c", "a", "d"]);
      // A multi-valued string by its first value (strings have no primary): SQLite failed this
      // query as malformed JSON before, reading a primary from each string.
      assert.deepEqual(await order("regions"), ["b", "a", "c", "d"]);
    });

    test("the change feed names a changed extension attribute by its full path", async () => {
      const user = await created({ tier: "gold", seats: 1 });
      await patch(user.id, { op: "replace", path: `${acmeUser}:seats`, value: 2 });
      const events: Array<{ kind: string; changed_attributes: string }> = await db("change_events")
        .where({ tenant_id: tenantId, resource_id: user.id })
        .orderBy("seq");
      assert.deepEqual(
        events.map((event) => [event.kind, JSON.parse(event.changed_attributes)]),
        [
          ["created", [`${acmeUser}:seats`, `${acmeUser}:tier`, "active", "userName"].sort()],
          ["updated", [`${acmeUser}:seats`]],
        ],
      );
    });

    test("groups: extension attributes are enforced and unique, and filtered on from the group's search document", async () => {
      revision = await registerExtension(db, tenantId, {
        resourceType: "Group",
        required: false,
        schema: {
          id: acmeGroup,
          name: "AcmeGroup",
          description: "",
          attributes: [attribute("costCentre", "string", { uniqueness: "server", canonicalValues: ["cc-1", "cc-2"] })],
        },
      });
      const groups = createGroupService(createGroupStore(db, undefined, undefined, store.schemas));
      const createGroup = (displayName: string, value: JsonValue) =>
        groups.createGroup(
          create(CreateGroupRequestSchema, { tenantId, group: { displayName, extensions: { [acmeGroup]: { costCentre: value } } } }),
          undefined as never,
        );
      const { group } = await createGroup("Finance", "CC-1");
      assert.deepEqual(group?.extensions?.[acmeGroup], { costCentre: "CC-1" });
      await assert.rejects(createGroup("Other", "cc-1"), failsWith(Code.ALREADY_EXISTS, "UNIQUENESS", /costCentre/));
      await assert.rejects(createGroup("Other", "cc-9"), failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE", /canonicalValues/));
      const { group: groupType } = await store.schemas.get(tenantId);
      // costCentre is caseExact false: "cc-1" finds the "CC-1" stored.
      const filter = filterToProto(resolveFilter(parseFilter(`${acmeGroup}:costCentre eq "cc-1"`), groupType));
      const listed = await groups.listGroups(create(ListGroupsRequestSchema, { tenantId, filter }), undefined as never);
      assert.deepEqual(
        (listed.groups ?? []).map((found) => found.displayName),
        ["Finance"],
      );
    });
  });
}
