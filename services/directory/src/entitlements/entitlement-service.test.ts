import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  ChangedResourceType,
  ChangeKind,
  EntitlementKind,
  ErrorReason,
  PatchUserRequestSchema,
  UserSchema,
  ListEntitlementTypesResponseSchema,
  CreateUserRequestSchema,
  DeleteEntitlementRequestSchema,
  DeleteEntitlementTypeRequestSchema,
  DeleteUserRequestSchema,
  GetEntitlementRequestSchema,
  GetUserRequestSchema,
  ListEntitlementTypesRequestSchema,
  ListEntitlementsRequestSchema,
  ListUsersWithEntitlementRequestSchema,
  PutEntitlementTypeRequestSchema,
  UpsertEntitlementRequestSchema,
  CreateUserResponseSchema,
  DeleteEntitlementResponseSchema,
  DeleteEntitlementTypeResponseSchema,
  DeleteUserResponseSchema,
  GetEntitlementResponseSchema,
  GetUserResponseSchema,
  ListEntitlementsResponseSchema,
  ListUsersWithEntitlementResponseSchema,
  PatchUserResponseSchema,
  PutEntitlementTypeResponseSchema,
  UpsertEntitlementResponseSchema,
} from "@scimgw/proto";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, RpcError } from "@scimgw/grpc";
import { parseFilter, parsePatchRequest, urn } from "@scimgw/scim";
import { filterToProto, patchOperationsToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { changeEventFromRow, type ChangeEventRow } from "../changes/change-event-row.js";
import type { AssignmentValue } from "../changes/change-log.js";
import { toDirectoryError } from "../errors/directory-errors.js";
import { offsetPositionsOf } from "../query/offset-positions.js";
import { writeTransaction } from "../database/write-transaction.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserService } from "../users/user-service.js";
import { createUserStore } from "../users/user-store.js";
import { createAssignmentCheck, type UnknownEntitlements } from "./assignment-check.js";
import { createCatalogStore } from "./catalog-store.js";
import { createEntitlementService } from "./entitlement-service.js";

interface ValueInit {
  value: string;
  display?: string;
  type?: string;
}
interface UserInit {
  userName?: string;
  entitlements?: ValueInit[];
  roles?: ValueInit[];
}

const call = { signal: new AbortController().signal } as never;

/** Runs a handler as the server does: thrown SCIM errors become statuses. */
async function rpc<S extends DescMessage>(schema: S, work: Promise<MessageInitShape<S>>): Promise<MessageShape<S>> {
  try {
    return create(schema, await work);
  } catch (error) {
    throw toDirectoryError(error);
  }
}

const rejects = (code: Code, reason: string, detail?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(ErrorReason[error.reason], reason, error.message);
  if (detail !== undefined) assert.match(error.message, detail);
  return true;
};

const patchOp = (...Operations: unknown[]) => patchOperationsToProto(parsePatchRequest({ schemas: [urn.patchOp], Operations }));

for (const storeUnderTest of storesUnderTest) {
  describe(`the entitlements catalog on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    let otherTenantId = "";
    let noCatalogTenantId = "";
    const recorded: AssignmentValue[] = [];
    const services = (mode: UnknownEntitlements) => {
      const userStore = createUserStore(
        db,
        undefined,
        offsetPositionsOf(db),
        createAssignmentCheck(mode, (_tenant, values) => recorded.push(...values)),
      );
      return { users: createUserService(userStore), catalog: createEntitlementService(createCatalogStore(db), userStore) };
    };
    let refusing: ReturnType<typeof services>;
    let recording: ReturnType<typeof services>;
    const catalog = () => refusing.catalog;
    const events = async (tenant = tenantId) =>
      ((await db("change_events").where("tenant_id", tenant).orderBy("seq")) as ChangeEventRow[]).map(changeEventFromRow);
    const createUser = (tenant: string, user: UserInit, mode = refusing) =>
      rpc(
        CreateUserResponseSchema,
        mode.users.createUser(
          create(CreateUserRequestSchema, {
            tenantId: tenant,
            user: create(UserSchema, { userName: `u${Math.random()}@example.com`, ...user }),
          }),
          call,
        ),
      );

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("acme")).id;
      otherTenantId = (await createTenantStore(db).create("other")).id;
      noCatalogTenantId = (await createTenantStore(db).create("plain")).id;
      refusing = services("refuse");
      recording = services("record");
      const put = (tenant: string, name: string, kind: EntitlementKind, endpoint: string) =>
        rpc(
          PutEntitlementTypeResponseSchema,
          catalog().putEntitlementType(
            create(PutEntitlementTypeRequestSchema, { tenantId: tenant, type: { name, kind, endpoint, description: `${name}s` } }),
            call,
          ),
        );
      await put(tenantId, "License", EntitlementKind.ENTITLEMENT, "/Licenses");
      await put(tenantId, "Profile", EntitlementKind.ENTITLEMENT, "/Profiles");
      await put(tenantId, "Role", EntitlementKind.ROLE, "/Roles");
      await put(otherTenantId, "License", EntitlementKind.ENTITLEMENT, "/Licenses");
      const upsert = (tenant: string, type: string, id: string, displayName: string) =>
        rpc(
          UpsertEntitlementResponseSchema,
          catalog().upsertEntitlement(
            create(UpsertEntitlementRequestSchema, { tenantId: tenant, entitlement: { type, id, displayName, description: "" } }),
            call,
          ),
        );
      for (const [id, name] of [
        ["basic", "Basic"],
        ["pro", "Pro"],
        ["enterprise", "Enterprise"],
      ])
        await upsert(tenantId, "License", id!, name!);
      await upsert(tenantId, "Profile", "basic", "Basic profile");
      await upsert(tenantId, "Role", "admin", "Administrator");
      await upsert(tenantId, "Role", "reader", "Reader");
      await upsert(otherTenantId, "License", "secret", "Other tenant's license");
    });
    after(() => dispose());

    test("types list by name; names and endpoints are validated and unique per tenant", async () => {
      const { types } = await rpc(
        ListEntitlementTypesResponseSchema,
        catalog().listEntitlementTypes(create(ListEntitlementTypesRequestSchema, { tenantId }), call),
      );
      assert.deepEqual(
        types.map((type) => [type.name, type.kind, type.endpoint]),
        [
          ["License", EntitlementKind.ENTITLEMENT, "/Licenses"],
          ["Profile", EntitlementKind.ENTITLEMENT, "/Profiles"],
          ["Role", EntitlementKind.ROLE, "/Roles"],
        ],
      );
      const put = (name: string, endpoint: string, kind = EntitlementKind.ENTITLEMENT) =>
        rpc(
          PutEntitlementTypeResponseSchema,
          catalog().putEntitlementType(
            create(PutEntitlementTypeRequestSchema, { tenantId, type: { name, kind, endpoint, description: "" } }),
            call,
          ),
        );
      for (const reserved of ["/Users", "/groups", "/Schemas", "/ResourceTypes", "/ServiceProviderConfig", "/Bulk", "/Me", "/.search"])
        await assert.rejects(put("Seat", reserved), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE"), reserved);
      for (const bad of ["Licenses", "/a/b", "/", "/sp ace"])
        await assert.rejects(put("Seat", bad), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      for (const bad of ["User", "group", "", "1st", "a/b"])
        await assert.rejects(put(bad, "/Seats"), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      await assert.rejects(put("Seat", "/licenses"), rejects(Code.ALREADY_EXISTS, "UNIQUENESS"));
      await assert.rejects(put("Role", "/Roles", EntitlementKind.UNSPECIFIED), rejects(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"));
      // A type with entries keeps its kind.
      await assert.rejects(put("License", "/Licenses", EntitlementKind.ROLE), rejects(Code.INVALID_ARGUMENT, "MUTABILITY"));
      const description = "x".repeat(1001);
      await assert.rejects(
        rpc(
          PutEntitlementTypeResponseSchema,
          catalog().putEntitlementType(
            create(PutEntitlementTypeRequestSchema, { tenantId, type: { name: "Seat", kind: 1, endpoint: "/Seats", description } }),
            call,
          ),
        ),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /1000/),
      );
    });

    test("entries: get, upsert keeps the version when nothing changes, list by offset and by cursor, filter", async () => {
      const { entitlement } = await catalog().getEntitlement(
        create(GetEntitlementRequestSchema, { tenantId, type: "license", id: "pro" }),
        call,
      );
      assert.equal(entitlement?.type, "License");
      assert.equal(entitlement?.displayName, "Pro");
      assert.equal(entitlement?.meta?.version, 1n);
      const same = await rpc(
        UpsertEntitlementResponseSchema,
        catalog().upsertEntitlement(
          create(UpsertEntitlementRequestSchema, {
            tenantId,
            entitlement: { type: "License", id: "pro", displayName: "Pro", description: "" },
          }),
          call,
        ),
      );
      assert.equal(same.created, false);
      assert.equal(same.entitlement?.meta?.version, 1n);
      await assert.rejects(
        rpc(
          GetEntitlementResponseSchema,
          catalog().getEntitlement(create(GetEntitlementRequestSchema, { tenantId, type: "License", id: "PRO" }), call),
        ),
        rejects(Code.NOT_FOUND, "NOT_FOUND"),
      );

      // RFC 7644 §3.4.2.4: count=1&startIndex=1 returns one of three, and the total.
      const first = await rpc(
        ListEntitlementsResponseSchema,
        catalog().listEntitlements(create(ListEntitlementsRequestSchema, { tenantId, type: "License", startIndex: 1n, count: 1 }), call),
      );
      assert.deepEqual(
        first.entitlements.map((e) => e.id),
        ["basic"],
      );
      assert.equal(first.totalResults, 3n);
      const past = await rpc(
        ListEntitlementsResponseSchema,
        catalog().listEntitlements(create(ListEntitlementsRequestSchema, { tenantId, type: "License", startIndex: 4n, count: 10 }), call),
      );
      assert.equal(past.entitlements.length, 0);
      assert.equal(past.totalResults, 3n);
      const ids: string[] = [];
      for (let pageToken = ""; ; ) {
        const page = await rpc(
          ListEntitlementsResponseSchema,
          catalog().listEntitlements(create(ListEntitlementsRequestSchema, { tenantId, type: "License", count: 2, pageToken }), call),
        );
        ids.push(...page.entitlements.map((e) => e.id));
        if (page.nextPageToken === "") break;
        pageToken = page.nextPageToken;
      }
      assert.deepEqual(ids, ["basic", "enterprise", "pro"]);

      const filtered = async (filter: string, type = "License") =>
        (
          await rpc(
            ListEntitlementsResponseSchema,
            catalog().listEntitlements(
              create(ListEntitlementsRequestSchema, {
                tenantId,
                type,
                startIndex: 1n,
                count: 10,
                filter: filterToProto(parseFilter(filter)),
              }),
              call,
            ),
          )
        ).entitlements.map((e) => e.id);
      assert.deepEqual(await filtered('displayName eq "PRO"'), ["pro"]);
      assert.deepEqual(await filtered('id eq "PRO"'), []);
      assert.deepEqual(await filtered('id sw "b" or displayname co "terp"'), ["basic", "enterprise"]);
      assert.deepEqual(await filtered('type eq "license"'), ["basic", "enterprise", "pro"]);
      assert.deepEqual(await filtered('type eq "Profile"'), []);
      await assert.rejects(filtered('description eq "x"'), rejects(Code.INVALID_ARGUMENT, "INVALID_FILTER"));
      await assert.rejects(filtered('type eq "Role"', "Role"), rejects(Code.INVALID_ARGUMENT, "INVALID_FILTER"));
    });

    test("publishers racing to create the same type or entry all succeed; one of them created it", async () => {
      const types = await Promise.all(
        Array.from({ length: 6 }, () =>
          rpc(
            PutEntitlementTypeResponseSchema,
            catalog().putEntitlementType(
              create(PutEntitlementTypeRequestSchema, {
                tenantId,
                type: { name: "Seat", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Seats" },
              }),
              call,
            ),
          ),
        ),
      );
      assert.equal(types.filter((put) => put.created).length, 1);
      const entries = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          rpc(
            UpsertEntitlementResponseSchema,
            catalog().upsertEntitlement(
              create(UpsertEntitlementRequestSchema, {
                tenantId,
                entitlement: { type: "Seat", id: "s-race", displayName: `Seat ${i % 2}` },
              }),
              call,
            ),
          ),
        ),
      );
      assert.equal(entries.filter((upsert) => upsert.created).length, 1);
      await rpc(
        DeleteEntitlementTypeResponseSchema,
        catalog().deleteEntitlementType(create(DeleteEntitlementTypeRequestSchema, { tenantId, name: "Seat" }), call),
      );
    });

    test("a tenant never sees another's catalog", async () => {
      await assert.rejects(
        rpc(
          GetEntitlementResponseSchema,
          catalog().getEntitlement(create(GetEntitlementRequestSchema, { tenantId, type: "License", id: "secret" }), call),
        ),
        rejects(Code.NOT_FOUND, "NOT_FOUND"),
      );
      const other = await rpc(
        ListEntitlementsResponseSchema,
        catalog().listEntitlements(
          create(ListEntitlementsRequestSchema, { tenantId: otherTenantId, type: "License", startIndex: 1n, count: 10 }),
          call,
        ),
      );
      assert.deepEqual(
        other.entitlements.map((e) => e.id),
        ["secret"],
      );
      await assert.rejects(
        createUser(tenantId, { entitlements: [{ value: "secret", type: "License" }] }),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"secret" of type "License"/),
      );
    });

    test("assignments: values must name the tenant's entries, by type or unambiguously without", async () => {
      const created = (
        await createUser(tenantId, {
          entitlements: [
            { value: "pro", display: "Pro", type: "License" },
            { value: "basic", type: "Profile" },
          ],
          roles: [{ value: "admin", display: "Administrator" }],
        })
      ).user!;
      assert.deepEqual(
        created.entitlements.map((e) => e.value),
        ["pro", "basic"],
      );
      // "basic" is both a License and a Profile: without a type it names neither.
      await assert.rejects(
        createUser(tenantId, { entitlements: [{ value: "basic" }] }),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /several catalog types/),
      );
      await assert.rejects(
        createUser(tenantId, { entitlements: [{ value: "gold", type: "License" }] }),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"gold" of type "License"/),
      );
      await assert.rejects(
        createUser(tenantId, { entitlements: [{ value: "pro", type: "Seat" }] }),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"pro" of type "Seat"/),
      );
      await assert.rejects(createUser(tenantId, { roles: [{ value: "root" }] }), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"root"/));
      // A role named as a license is not a license.
      await assert.rejects(createUser(tenantId, { entitlements: [{ value: "admin" }] }), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE"));

      // Entra's roles PATCH: `roles[primary eq "True"].value`, then the whole array; unknown values refused.
      const patch = (id: string, ...operations: unknown[]) =>
        rpc(
          PatchUserResponseSchema,
          refusing.users.patchUser(create(PatchUserRequestSchema, { tenantId, id, operations: patchOp(...operations) }), call),
        );
      const single = (await patch(created.id, { op: "Add", path: 'roles[primary eq "True"].value', value: "reader" })).user!;
      assert.ok(single.roles.some((role) => role.value === "reader" && role.primary === true));
      await assert.rejects(
        patch(created.id, { op: "Add", path: "roles", value: [{ value: "root", primary: "False" }] }),
        rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"root"/),
      );
      // Entra's forced type names no catalog type: such a role is read as untyped.
      const entra = (
        await patch(created.id, { op: "Add", path: "roles", value: [{ value: "reader", type: "WindowsAzureActiveDirectoryRole" }] })
      ).user!;
      assert.ok(entra.roles.some((role) => role.type === "WindowsAzureActiveDirectoryRole"));
      // A value the user already holds is not checked again (the catalog may have dropped it since).
      const replaced = (await patch(created.id, { op: "replace", path: "name.givenName", value: "Ada" })).user!;
      assert.equal(replaced.name?.givenName, "Ada");
    });

    test("a catalog delete racing an assignment: the write waits for it and is refused, never kept against a deleted entry", async () => {
      await rpc(
        UpsertEntitlementResponseSchema,
        catalog().upsertEntitlement(
          create(UpsertEntitlementRequestSchema, { tenantId, entitlement: { type: "License", id: "race", displayName: "Race" } }),
          call,
        ),
      );
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      // The delete's transaction stays open (its row lock held on PostgreSQL, the writer on SQLite).
      let deleted = () => {};
      const deleteRan = new Promise<void>((resolve) => {
        deleted = resolve;
      });
      const deleting = writeTransaction(db, undefined, async (trx) => {
        await trx("entitlements").where({ tenant_id: tenantId, type_key: "license", id: "race" }).delete();
        deleted();
        await held;
      });
      await deleteRan;
      const assigning = createUser(tenantId, { entitlements: [{ value: "race", type: "License" }] });
      let settled = false;
      void assigning.then(
        () => (settled = true),
        () => (settled = true),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(settled, false, "the assignment waits for the delete's transaction");
      release();
      await deleting;
      await assert.rejects(assigning, rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE", /"race"/));
    });

    test("tenants without a catalog keep values as sent; UNKNOWN_ENTITLEMENTS=record stores and reports them", async () => {
      const plain = (
        await createUser(noCatalogTenantId, { entitlements: [{ value: "anything", type: "Whatever" }], roles: [{ value: "x" }] })
      ).user!;
      assert.equal(plain.entitlements[0]?.value, "anything");
      recorded.length = 0;
      const kept = (await createUser(tenantId, { entitlements: [{ value: "gold", type: "License" }] }, recording)).user!;
      assert.equal(kept.entitlements[0]?.value, "gold");
      assert.deepEqual(recorded, [{ attribute: "entitlements", type: "License", value: "gold" }]);
    });

    test("change feed: catalog changes are events; user events carry the values added and removed", async () => {
      const before = (await events()).length;
      const user = (await createUser(tenantId, { entitlements: [{ value: "basic", type: "License" }], roles: [{ value: "admin" }] })).user!;
      await rpc(
        PatchUserResponseSchema,
        refusing.users.patchUser(
          create(PatchUserRequestSchema, {
            tenantId,
            id: user.id,
            operations: patchOp({ op: "replace", path: "roles", value: [{ value: "reader", primary: "True" }] }),
          }),
          call,
        ),
      );
      await rpc(DeleteUserResponseSchema, refusing.users.deleteUser(create(DeleteUserRequestSchema, { tenantId, id: user.id }), call));
      await rpc(
        UpsertEntitlementResponseSchema,
        catalog().upsertEntitlement(
          create(UpsertEntitlementRequestSchema, { tenantId, entitlement: { type: "License", id: "trial", displayName: "Trial" } }),
          call,
        ),
      );
      await rpc(
        DeleteEntitlementResponseSchema,
        catalog().deleteEntitlement(create(DeleteEntitlementRequestSchema, { tenantId, type: "License", id: "trial" }), call),
      );
      const feed = (await events()).slice(before);
      const [created, patched, deleted, entryCreated, entryDeleted] = feed;
      assert.equal(created?.kind, ChangeKind.CREATED);
      assert.deepEqual(
        created?.assignmentsAdded.map((a) => [a.attribute, a.type, a.value]),
        [
          ["entitlements", "License", "basic"],
          ["roles", "", "admin"],
        ],
      );
      assert.ok(patched?.changedAttributes.includes("roles"));
      assert.deepEqual(
        patched?.assignmentsAdded.map((a) => a.value),
        ["reader"],
      );
      assert.deepEqual(
        patched?.assignmentsRemoved.map((a) => a.value),
        ["admin"],
      );
      assert.deepEqual(
        deleted?.assignmentsRemoved.map((a) => a.value),
        ["basic", "reader"],
      );
      assert.equal(entryCreated?.resourceType, ChangedResourceType.ENTITLEMENT);
      assert.equal(entryCreated?.catalogType, "License");
      assert.equal(entryCreated?.resourceId, "trial");
      assert.equal(entryCreated?.kind, ChangeKind.CREATED);
      assert.equal(entryDeleted?.kind, ChangeKind.DELETED);
    });

    test("ListUsersWithEntitlement pages the holders by cursor, within the tenant", async () => {
      const holders: string[] = [];
      for (let i = 0; i < 5; i++)
        holders.push(
          (await createUser(tenantId, { userName: `holder${i}@example.com`, entitlements: [{ value: "enterprise", type: "License" }] }))
            .user!.id,
        );
      await createUser(tenantId, { entitlements: [{ value: "pro", type: "License" }] });
      await createUser(otherTenantId, { entitlements: [{ value: "secret", type: "License" }] });
      const seen: string[] = [];
      let pages = 0;
      for (let pageToken = ""; ; pages++) {
        const page = await rpc(
          ListUsersWithEntitlementResponseSchema,
          catalog().listUsersWithEntitlement(
            create(ListUsersWithEntitlementRequestSchema, {
              tenantId,
              kind: EntitlementKind.ENTITLEMENT,
              type: "license",
              value: "enterprise",
              count: 2,
              pageToken,
            }),
            call,
          ),
        );
        seen.push(...page.users.map((u) => u.id));
        if (page.nextPageToken === "") break;
        pageToken = page.nextPageToken;
      }
      assert.deepEqual(seen, holders);
      assert.equal(pages, 2);
      const roles = await rpc(
        ListUsersWithEntitlementResponseSchema,
        catalog().listUsersWithEntitlement(
          create(ListUsersWithEntitlementRequestSchema, { tenantId, kind: EntitlementKind.ROLE, type: "Role", value: "admin", count: 10 }),
          call,
        ),
      );
      assert.ok(roles.users.every((u) => u.roles.some((r) => r.value === "admin")));
      const none = await rpc(
        ListUsersWithEntitlementResponseSchema,
        catalog().listUsersWithEntitlement(
          create(ListUsersWithEntitlementRequestSchema, {
            tenantId: otherTenantId,
            kind: EntitlementKind.ENTITLEMENT,
            type: "License",
            value: "enterprise",
            count: 10,
          }),
          call,
        ),
      );
      assert.equal(none.users.length, 0);
    });

    test("deleting a type deletes its entries, with an event for each; users keep their values", async () => {
      await rpc(
        PutEntitlementTypeResponseSchema,
        catalog().putEntitlementType(
          create(PutEntitlementTypeRequestSchema, { tenantId, type: { name: "Seat", kind: 1, endpoint: "/Seats", description: "" } }),
          call,
        ),
      );
      await rpc(
        UpsertEntitlementResponseSchema,
        catalog().upsertEntitlement(
          create(UpsertEntitlementRequestSchema, { tenantId, entitlement: { type: "Seat", id: "s1", displayName: "Seat 1" } }),
          call,
        ),
      );
      const user = (await createUser(tenantId, { entitlements: [{ value: "s1", type: "Seat" }] })).user!;
      const before = (await events()).length;
      const { deletedEntries } = await rpc(
        DeleteEntitlementTypeResponseSchema,
        catalog().deleteEntitlementType(create(DeleteEntitlementTypeRequestSchema, { tenantId, name: "seat" }), call),
      );
      assert.equal(deletedEntries, 1n);
      const feed = (await events()).slice(before);
      assert.deepEqual(
        feed.map((e) => [e.resourceType, e.resourceId, e.kind]),
        [
          [ChangedResourceType.ENTITLEMENT, "s1", ChangeKind.DELETED],
          [ChangedResourceType.ENTITLEMENT_TYPE, "Seat", ChangeKind.DELETED],
        ],
      );
      const read = await rpc(GetUserResponseSchema, refusing.users.getUser(create(GetUserRequestSchema, { tenantId, id: user.id }), call));
      assert.equal(read.user?.entitlements[0]?.value, "s1");
      await assert.rejects(
        rpc(
          ListEntitlementsResponseSchema,
          catalog().listEntitlements(create(ListEntitlementsRequestSchema, { tenantId, type: "Seat", startIndex: 1n, count: 1 }), call),
        ),
        rejects(Code.NOT_FOUND, "NOT_FOUND"),
      );
    });
  });
}
