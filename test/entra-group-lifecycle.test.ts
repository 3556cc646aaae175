// Microsoft Entra ID's group provisioning, replayed over real HTTP against the real processes:
// lookup by displayName with excludedAttributes=members, create with Entra's schema marker,
// rename, membership changes in both PATCH dialects (each answered 204), several memberships in
// one PATCH, finding a user's groups by filter, members that do not exist (all-or-nothing),
// deleting users and groups (shared/IDP-NOTES.md §2.1-2.3: MS-USE, MS-COMPAT).
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { scimClient, type ScimClient } from "./support/scim-client.js";
import { assertListResponse, assertScimError, assertUserResponse, searchRequestUrn, type ScimJson } from "./support/scim-checks.js";
import { compliantOp, entraUser, legacyOp, patchRequest } from "./support/entra-requests.js";
import {
  assertGroupList,
  assertGroupResponse,
  assertPatched,
  entraGroupSchemaMarker,
  groupSchemaUrn,
  groupsOfUser,
  groupsWhere,
  memberIds,
} from "./support/group-checks.js";

const tag = () => Math.random().toString(36).slice(2, 10);

/** A POST /Groups body as Entra sends it (MS-USE "Create Group"). */
function entraGroup(displayName: string): Record<string, unknown> {
  return { schemas: [groupSchemaUrn, entraGroupSchemaMarker], externalId: randomUUID(), displayName, meta: { resourceType: "Group" } };
}

/** Entra's member value: `$ref` null, the id in `value` (MS-USE "Update Group [Add Members]"). */
const entraMembers = (...ids: string[]) => ids.map((value) => ({ $ref: null, value }));

for (const store of await storeKindsUnderTest())
  describe(`Microsoft Entra group lifecycle on ${store}`, () => {
    let product: Product;
    let entra: ScimClient;
    const userIds: string[] = [];

    before(async () => {
      product = await Product.start({ store });
      entra = scimClient(product.baseUrl, product.apiKey);
      for (let i = 0; i < 5; i++) userIds.push(assertUserResponse(await entra.post("/Users", entraUser()), 201).id);
    });
    after(() => product.stop());

    const u = (i: number) => userIds[i]!;

    /** Entra's lookup: by displayName, members excluded (MS-USE "Get Group by displayName"). */
    async function lookup(displayName: string): Promise<ScimJson> {
      const body = assertGroupList(await entra.get(groupsWhere(`displayName eq "${displayName}"`, "&excludedAttributes=members")));
      for (const group of body.Resources) assert.equal(group.members, undefined, "excludedAttributes=members leaves members out");
      return body;
    }

    async function createGroup(displayName = `Entra ${tag()}`): Promise<ScimJson> {
      return assertGroupResponse(await entra.post("/Groups", entraGroup(displayName)), 201);
    }

    const patchGroup = (id: string, ...operations: Parameters<typeof patchRequest>) =>
      entra.patch(`/Groups/${id}`, patchRequest(...operations));

    test("Test Connection fetches a random group: 200 and an empty ListResponse", async () => {
      const body = await lookup(randomUUID());
      assert.equal(body.totalResults, 0);
      assert.deepEqual(body.Resources, []);
    });

    test("lookup, then create with Entra's schema marker, then the lookup finds it", async () => {
      const displayName = `Entra Sales ${tag()}`;
      assert.equal((await lookup(displayName)).totalResults, 0);
      const body = entraGroup(displayName);
      const group = assertGroupResponse(await entra.post("/Groups", body), 201);
      assert.equal(group.displayName, displayName);
      assert.equal(group.externalId, body.externalId);
      assert.deepEqual(group.schemas, [groupSchemaUrn], "the marker schema defines no attributes and is not echoed");
      const found = await lookup(displayName);
      assert.equal(found.totalResults, 1);
      assert.equal(found.Resources[0].id, group.id);
      const read = assertGroupResponse(await entra.get(`/Groups/${group.id}?excludedAttributes=members`), 200);
      assert.equal(read.members, undefined);
      assert.equal(read.displayName, displayName);
    });

    test("displayName is unique in any letter case: 409 uniqueness", async () => {
      const group = await createGroup();
      assertScimError(await entra.post("/Groups", entraGroup(group.displayName.toLowerCase())), 409, "uniqueness");
    });

    test('rename: {"op":"Replace","path":"displayName"} is 204, and the new name is found', async () => {
      const group = await createGroup();
      const renamed = `Entra renamed ${tag()}`;
      const etag = assertPatched(await patchGroup(group.id, legacyOp.replace("displayName", renamed)));
      const read = assertGroupResponse(await entra.get(`/Groups/${group.id}?excludedAttributes=members`), 200);
      assert.equal(read.displayName, renamed);
      assert.equal(read.meta.version, etag);
      assert.equal((await lookup(renamed)).Resources[0].id, group.id);
      assert.equal((await lookup(group.displayName)).totalResults, 0);
    });

    test("members: Add with $ref null, Remove with a value list (legacy), remove by members[value eq] (compliant), each 204", async () => {
      const group = await createGroup();
      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(0)))));
      assert.deepEqual(await memberIds(entra, group.id), [u(0)]);
      assert.deepEqual(await groupsOfUser(entra, u(0)), [[group.id, "direct"]]);

      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(1)))));
      assert.deepEqual(await memberIds(entra, group.id), [u(0), u(1)].sort());

      assertPatched(await patchGroup(group.id, legacyOp.remove("members", entraMembers(u(0)))));
      assert.deepEqual(await memberIds(entra, group.id), [u(1)]);
      assert.deepEqual(await groupsOfUser(entra, u(0)), []);

      assertPatched(await patchGroup(group.id, compliantOp.remove(`members[value eq "${u(1)}"]`)));
      assert.deepEqual(await memberIds(entra, group.id), []);
      assert.deepEqual(await groupsOfUser(entra, u(1)), []);
    });

    test("several memberships in one PATCH (the gallery checklist), adds and removes mixed", async () => {
      const group = await createGroup();
      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(0), u(1), u(2)))));
      assert.deepEqual(await memberIds(entra, group.id), [u(0), u(1), u(2)].sort());
      assertPatched(
        await patchGroup(
          group.id,
          legacyOp.add("members", entraMembers(u(3))),
          legacyOp.remove("members", entraMembers(u(0), u(1))),
          legacyOp.add("members", entraMembers(u(4))),
          legacyOp.replace("displayName", `Entra batch ${tag()}`),
        ),
      );
      assert.deepEqual(await memberIds(entra, group.id), [u(2), u(3), u(4)].sort());
    });

    test('a user\'s groups are found with members[value eq "<userId>"]', async () => {
      const [first, second, other] = [await createGroup(), await createGroup(), await createGroup()];
      for (const group of [first, second]) assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(3)))));
      assertPatched(await patchGroup(other.id, legacyOp.add("members", entraMembers(u(4)))));
      const body = assertGroupList(await entra.get(groupsWhere(`members[value eq "${u(3)}"]`, "&excludedAttributes=members")));
      const found = body.Resources.map((group: ScimJson) => group.id);
      assert.ok(found.includes(first.id) && found.includes(second.id), JSON.stringify(found));
      assert.ok(!found.includes(other.id));
      for (const group of body.Resources) assert.equal(group.members, undefined);
      // The same search as a SearchRequest (RFC 7644 §3.4.3).
      const searched = assertGroupList(
        await entra.post("/Groups/.search", {
          schemas: [searchRequestUrn],
          filter: `members.value eq "${u(4)}"`,
          excludedAttributes: ["members"],
        }),
      );
      assert.ok(searched.Resources.some((group: ScimJson) => group.id === other.id));
    });

    test("a member that does not exist, or lives in another tenant, is 400 invalidValue naming it, and nothing is applied", async () => {
      const group = await createGroup();
      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(0)))));
      const before = assertGroupResponse(await entra.get(`/Groups/${group.id}`), 200);

      const unknown = randomUUID();
      const response = await patchGroup(
        group.id,
        legacyOp.add("members", entraMembers(u(1))),
        legacyOp.add("members", entraMembers(unknown)),
        legacyOp.replace("displayName", "never applied"),
      );
      assertScimError(response, 400, "invalidValue");
      assert.ok(response.body.detail.includes(unknown), `the detail names the id: ${response.body.detail}`);

      const otherTenant = scimClient(product.baseUrl, await product.seedTenant(`other-${tag()}`));
      const foreign = assertUserResponse(await otherTenant.post("/Users", entraUser()), 201).id;
      const crossTenant = await patchGroup(group.id, legacyOp.add("members", entraMembers(u(1), foreign)));
      assertScimError(crossTenant, 400, "invalidValue");
      assert.ok(crossTenant.body.detail.includes(foreign), crossTenant.body.detail);

      const after = assertGroupResponse(await entra.get(`/Groups/${group.id}`), 200);
      assert.deepEqual(after, before, "all or nothing: no member added, no rename, same version");

      // On create too: no group is left behind.
      const displayName = `Entra invalid ${tag()}`;
      assertScimError(await entra.post("/Groups", { ...entraGroup(displayName), members: [{ value: unknown }] }), 400, "invalidValue");
      assert.equal((await lookup(displayName)).totalResults, 0);
    });

    test("the other tenant sees none of these groups, and cannot read one by id", async () => {
      const group = await createGroup();
      const otherTenant = scimClient(product.baseUrl, await product.seedTenant(`other-${tag()}`));
      assert.equal(assertListResponse(await otherTenant.get("/Groups?excludedAttributes=members")).totalResults, 0);
      assertScimError(await otherTenant.get(`/Groups/${group.id}`), 404);
      assertScimError(await otherTenant.patch(`/Groups/${group.id}`, patchRequest(legacyOp.replace("displayName", "hijack"))), 404);
    });

    test("deleting a user removes it from its groups", async () => {
      const user = assertUserResponse(await entra.post("/Users", entraUser()), 201).id;
      const group = await createGroup();
      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(user, u(0)))));
      const version = assertGroupResponse(await entra.get(`/Groups/${group.id}`), 200).meta.version;
      assert.equal((await entra.delete(`/Users/${user}`)).status, 204);
      const read = assertGroupResponse(await entra.get(`/Groups/${group.id}`), 200);
      assert.deepEqual(
        read.members.map((member: ScimJson) => member.value),
        [u(0)],
      );
      assert.notEqual(read.meta.version, version, "the group's membership changed, so its version did");
    });

    test("DELETE /Groups/{id} is 204; then GET is 404 and the lookup finds nothing", async () => {
      const group = await createGroup();
      assertPatched(await patchGroup(group.id, legacyOp.add("members", entraMembers(u(2)))));
      assert.equal((await entra.delete(`/Groups/${group.id}`)).status, 204);
      assertScimError(await entra.get(`/Groups/${group.id}?excludedAttributes=members`), 404);
      assert.equal((await lookup(group.displayName)).totalResults, 0);
      assert.ok(!(await groupsOfUser(entra, u(2))).some(([id]) => id === group.id));
    });
  });
