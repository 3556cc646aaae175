import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  CreateGroupRequestSchema,
  type Group,
  ListGroupMembersRequestSchema,
  PatchGroupRequestSchema,
  ReplaceGroupRequestSchema,
  UserSchema,
  ErrorReason,
} from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import { parsePatchRequest } from "@scimgw/scim";
import { patchOperationsToProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { createGroupService } from "./group-service.js";
import { createGroupStore } from "./group-store.js";

const patchOp = (...Operations: unknown[]) =>
  patchOperationsToProto(parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations }));

for (const storeUnderTest of storesUnderTest) {
  describe(`groups and memberships on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let tenantId = "";
    let otherTenantId = "";
    let service: ReturnType<typeof createGroupService>;
    let users: ReturnType<typeof createUserStore>;
    const userIds: string[] = [];
    const u = (i: number) => userIds[i]!;

    const members = async (groupId: string) => {
      const all: string[] = [];
      for (let after = ""; ; ) {
        const page = await service.listGroupMembers(
          create(ListGroupMembersRequestSchema, { tenantId, groupId, afterMemberId: after, limit: 2 }),
          undefined as never,
        );
        all.push(...page.members!.map((member) => member.value!));
        if (!page.nextAfterMemberId) return all.sort();
        after = page.nextAfterMemberId;
      }
    };
    const newGroup = async (displayName: string, memberIds: string[] = []) =>
      (
        await service.createGroup(
          create(CreateGroupRequestSchema, { tenantId, group: { displayName, members: memberIds.map((value) => ({ value })) } }),
          undefined as never,
        )
      ).group as Group;
    const patch = (id: string, ...operations: unknown[]) =>
      service.patchGroup(create(PatchGroupRequestSchema, { tenantId, id, operations: patchOp(...operations) }), undefined as never);
    const rejects = (code: Code, reason?: string) => (error: unknown) => {
      assert.ok(error instanceof RpcError, String(error));
      assert.equal(error.code, code);
      if (reason) assert.equal(ErrorReason[error.reason], reason);
      return true;
    };

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      tenantId = (await createTenantStore(db).create("t")).id;
      otherTenantId = (await createTenantStore(db).create("other")).id;
      users = createUserStore(db);
      service = createGroupService(createGroupStore(db));
      for (let i = 0; i < 6; i++) userIds.push((await users.create(tenantId, create(UserSchema, { userName: `u${i}@example.com` }))).id);
    });
    after(() => dispose());

    test("a group is created with its members; members page by id with type and display", async () => {
      const group = await newGroup("Engineering", userIds.slice(0, 3));
      assert.equal(group.meta?.version, 1n);
      assert.deepEqual(await members(group.id), userIds.slice(0, 3).sort());
      const page = await service.listGroupMembers(
        create(ListGroupMembersRequestSchema, { tenantId, groupId: group.id }),
        undefined as never,
      );
      assert.ok(page.members!.every((member) => member.type === "User" && member.display?.endsWith("@example.com")));
    });

    test("displayName is unique per tenant in any letter case", async () => {
      await newGroup("Sales");
      await assert.rejects(newGroup("SALES"), rejects(Code.ALREADY_EXISTS, "UNIQUENESS"));
    });

    test("Okta's PATCH: remove by filter plus add in one request, rename path-less; versions grow", async () => {
      const group = await newGroup("Okta", userIds.slice(0, 2));
      const patched = (
        await patch(
          group.id,
          { op: "remove", path: `members[value eq "${u(0)}"]` },
          { op: "add", path: "members", value: [{ value: u(2), display: "x" }, { value: u(3) }] },
          { op: "replace", value: { id: group.id, displayName: "Okta Renamed" } },
        )
      ).group as Group;
      assert.equal(patched.displayName, "Okta Renamed");
      assert.equal(patched.meta?.version, 2n);
      assert.deepEqual(await members(group.id), [userIds[1]!, userIds[2]!, userIds[3]!].sort());
      await patch(group.id, { op: "replace", path: "members", value: [{ value: u(4) }, { value: u(1) }] });
      assert.deepEqual(await members(group.id), [userIds[1]!, userIds[4]!].sort());
    });

    test("Entra's PATCH: capitalised ops and a value list to remove; remove without value empties", async () => {
      const group = await newGroup("Entra", userIds.slice(0, 3));
      await patch(
        group.id,
        { op: "Remove", path: "members", value: [{ $ref: null, value: u(0) }] },
        { op: "Add", path: "members", value: [{ $ref: null, value: u(5) }] },
        { op: "Replace", path: "displayName", value: "Entra 2" },
      );
      assert.deepEqual(await members(group.id), [userIds[1]!, userIds[2]!, userIds[5]!].sort());
      await patch(group.id, { op: "remove", path: "members" });
      assert.deepEqual(await members(group.id), []);
    });

    test("a member that does not exist in the tenant fails the whole request, naming it", async () => {
      const group = await newGroup("Strict", [userIds[0]!]);
      const foreign = (await users.create(otherTenantId, create(UserSchema, { userName: "foreign@example.com" }))).id;
      await assert.rejects(
        patch(
          group.id,
          { op: "replace", path: "displayName", value: "Changed" },
          { op: "add", path: "members", value: [{ value: u(1) }, { value: foreign }, { value: "nope" }] },
        ),
        (error: unknown) => {
          rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE")(error);
          assert.match((error as Error).message, new RegExp(`${foreign}.*nope|nope.*${foreign}`));
          return true;
        },
      );
      const after = (await service.getGroup({ tenantId, id: group.id } as never, undefined as never)).group!;
      assert.equal(after.displayName, "Strict");
      assert.equal(after.meta?.version, 1n);
      assert.deepEqual(await members(group.id), [u(0)]);
      await assert.rejects(newGroup("Foreign", [foreign]), rejects(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
    });

    test("PUT applies the member list as a difference", async () => {
      const group = await newGroup("Put", userIds.slice(0, 4));
      await service.replaceGroup(
        create(ReplaceGroupRequestSchema, {
          tenantId,
          group: { id: group.id, displayName: "Put", members: [{ value: userIds[3]! }, { value: userIds[4]! }] },
        }),
        undefined as never,
      );
      assert.deepEqual(await members(group.id), [userIds[3]!, userIds[4]!].sort());
    });

    test("User.groups: direct and, through a nested group, indirect", async () => {
      const inner = await newGroup("Inner", [userIds[0]!]);
      const outer = await newGroup("Outer", [inner.id]);
      const [user] = await users.withGroups(tenantId, [await users.get(tenantId, userIds[0]!)]);
      const groups = Object.fromEntries(user!.groups.map((g) => [g.display, g.type]));
      assert.equal(groups.Inner, "direct");
      assert.equal(groups.Outer, "indirect");
      assert.ok(user!.groups.some((g) => g.value === outer.id));
      // A cycle does not loop.
      await patch(inner.id, { op: "add", path: "members", value: [{ value: outer.id }] });
      await users.withGroups(tenantId, [user!]);
      await assert.rejects(patch(inner.id, { op: "add", path: "members", value: [{ value: inner.id }] }), rejects(Code.INVALID_ARGUMENT));
    });

    test("deleting a user removes its memberships and bumps those groups' versions", async () => {
      const doomed = (await users.create(tenantId, create(UserSchema, { userName: "doomed@example.com" }))).id;
      const group = await newGroup("Doomed's", [doomed, userIds[1]!]);
      await users.delete(tenantId, doomed);
      assert.deepEqual(await members(group.id), [u(1)]);
      assert.equal((await service.getGroup({ tenantId, id: group.id } as never, undefined as never)).group!.meta?.version, 2n);
    });

    test("deleting a group removes it from its parents and its own memberships", async () => {
      const child = await newGroup("Child", [userIds[2]!]);
      const parent = await newGroup("Parent", [child.id, userIds[3]!]);
      await service.deleteGroup({ tenantId, id: child.id } as never, undefined as never);
      assert.deepEqual(await members(parent.id), [u(3)]);
      assert.equal(Number((await db("group_members").where({ tenant_id: tenantId, group_id: child.id }).count({ n: "*" }).first())?.n), 0);
      await assert.rejects(service.getGroup({ tenantId, id: child.id } as never, undefined as never), rejects(Code.NOT_FOUND));
    });

    test("concurrent membership PATCHes on one group all apply", async () => {
      const group = await newGroup("Busy");
      await Promise.all(userIds.map((id) => patch(group.id, { op: "add", path: "members", value: [{ value: id }] })));
      assert.deepEqual(await members(group.id), [...userIds].sort());
      assert.equal(
        (await service.getGroup({ tenantId, id: group.id } as never, undefined as never)).group!.meta?.version,
        BigInt(1 + userIds.length),
      );
    });

    test("filters: displayName eq in any case, and members[value eq] finds a user's groups", async () => {
      const { listGroups } = service;
      const { parseFilter, resolveFilter, groupResourceType } = await import("@scimgw/scim");
      const { filterToProto } = await import("@scimgw/scim-proto");
      const filter = (text: string) => filterToProto(resolveFilter(parseFilter(text), groupResourceType));
      const byName = await listGroups(
        { tenantId, filter: filter('displayName eq "ENGINEERING"'), startIndex: 1n, count: 10 } as never,
        undefined as never,
      );
      assert.deepEqual(
        byName.groups!.map((g) => g.displayName),
        ["Engineering"],
      );
      const ofUser = await listGroups(
        { tenantId, filter: filter(`members[value eq "${u(5)}"]`), startIndex: 1n, count: 10 } as never,
        undefined as never,
      );
      assert.ok(ofUser.groups!.length >= 1);
      for (const group of ofUser.groups!) assert.ok((await members(group.id!)).includes(userIds[5]!));
    });

    test("comparisons on members read as the SCIM core reads them: eq null is no members, ne also matches an empty group", async () => {
      const { parseFilter, resolveFilter, groupResourceType, matchesFilter } = await import("@scimgw/scim");
      const { filterToProto } = await import("@scimgw/scim-proto");
      const prefix = `cmp-${Date.now()}`;
      const shapes = { empty: [], one: [u(1)], two: [u(1), u(2)] } as const;
      for (const [name, ids] of Object.entries(shapes)) await newGroup(`${prefix}-${name}`, [...ids]);
      for (const text of [
        "members eq null",
        "members ne null",
        `members.value ne "${u(1)}"`,
        `members ne "${u(2)}"`,
        `members.value eq "${u(2)}"`,
        // members.type is caseExact false (RFC 7643 §4.2), and the rows spell it "User".
        'members.type eq "User"',
        'members.type eq "user"',
        'members.type ne "Group"',
        'members.type gt "u"',
        `members[type eq "USER" and value eq "${u(2)}"]`,
      ]) {
        const filter = resolveFilter(parseFilter(`displayName sw "${prefix}" and (${text})`), groupResourceType);
        const listed = await service.listGroups(
          { tenantId, filter: filterToProto(filter), startIndex: 1n, count: 10 } as never,
          undefined as never,
        );
        const expected = Object.entries(shapes)
          .filter(([name, ids]) =>
            matchesFilter(
              { displayName: `${prefix}-${name}`, members: ids.map((value) => ({ value, type: "User" })) },
              filter,
              groupResourceType,
            ),
          )
          .map(([name]) => `${prefix}-${name}`);
        assert.deepEqual(listed.groups!.map((group) => group.displayName).sort(), expected.sort(), text);
      }
    });
  });
}
