// Okta's Push Groups, replayed over real HTTP against the real processes: the group is created
// empty, imported by paging /Groups, then kept in step by PATCHes that rename it on every change
// and add and remove members in batches; AIW apps PUT the whole group; unlinking deletes it
// (shared/IDP-NOTES.md §1.3, OKTA-REF). After each step both sides of the membership are checked:
// the group's members, and each user's `groups` (RFC 7643 §4.1.2: direct, or indirect through a
// nested group).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { errorUrn, patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimClient } from "./support/scim-client.js";
import { assertScimError, type ScimJson } from "./support/scim-checks.js";
import { assertGroupList, assertGroupResponse, assertPatched, groupSchemaUrn, groupsOfUser, memberIds } from "./support/group-checks.js";

/** What Okta's SCIM client sends on every request (OKTA-REF); its POSTs are application/json. */
const oktaHeaders = { "User-Agent": "Okta SCIM Client 1.0.0" };
const oktaPostHeaders = { ...oktaHeaders, "Content-Type": "application/json" };

const tag = () => Math.random().toString(36).slice(2, 10);

function oktaUser(userName: string, displayName: string) {
  return {
    schemas: [userSchemaUrn],
    userName,
    name: { givenName: displayName.split(" ")[0], familyName: displayName.split(" ")[1] ?? "Okta" },
    emails: [{ primary: true, value: userName, type: "work" }],
    displayName,
    externalId: `00u${tag()}`,
    groups: [],
    active: true,
  };
}

/** Okta's membership PATCH: the path-less rename it sends every time, then the member operations. */
function oktaMembershipPatch(groupId: string, displayName: string, ...operations: Array<Record<string, unknown>>) {
  return { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { id: groupId, displayName } }, ...operations] };
}

const member = (user: ScimJson) => ({ value: user.id, display: user.displayName });

for (const store of await storeKindsUnderTest())
  describe(`Okta Push Groups on ${store}`, () => {
    let product: Product;
    let okta: ScimClient;
    const users: ScimJson[] = [];
    let group: ScimJson;
    let displayName = `Okta Push ${tag()}`;

    const get = (path: string) => okta.get(path, { headers: oktaHeaders });
    const patch = (body: unknown) => okta.patch(`/Groups/${group.id}`, body, { headers: oktaPostHeaders });

    /** The group's members and every user's direct groups agree with `expected` (indexes into users). */
    async function assertMembership(expected: number[]): Promise<void> {
      assert.deepEqual(await memberIds(okta, group.id), expected.map((i) => users[i]!.id).sort(), "the group's members");
      for (const [i, user] of users.entries()) {
        const direct = (await groupsOfUser(okta, user.id)).filter(([, type]) => type === "direct").map(([id]) => id);
        assert.deepEqual(direct, expected.includes(i) ? [group.id] : [], `user ${i}'s groups`);
      }
    }

    before(async () => {
      product = await Product.start({ store });
      okta = scimClient(product.baseUrl, product.apiKey);
      for (let i = 0; i < 6; i++) {
        const created = await okta.post("/Users", oktaUser(randomUserName(`push${i}`), `Member${i} Okta`), { headers: oktaPostHeaders });
        assert.equal(created.status, 201);
        users.push(created.body);
      }
    });
    after(() => product.stop());

    test("Push: POST /Groups with an empty member list is 201 with the group", async () => {
      const response = await okta.post("/Groups", { schemas: [groupSchemaUrn], displayName, members: [] }, { headers: oktaPostHeaders });
      group = assertGroupResponse(response, 201);
      assert.equal(group.displayName, displayName);
      assert.deepEqual(group.schemas, [groupSchemaUrn]);
      assert.ok(group.members === undefined || group.members.length === 0, "no members yet");
      await assertMembership([]);
    });

    test("a second push of the same name, in other letters, is 409 uniqueness (displayName is caseExact false)", async () => {
      const response = await okta.post(
        "/Groups",
        { schemas: [groupSchemaUrn], displayName: displayName.toUpperCase(), members: [] },
        { headers: oktaPostHeaders },
      );
      assertScimError(response, 409, "uniqueness");
    });

    test("Import: GET /Groups?startIndex=1&count=100 lists it, and paging walks a stable order", async () => {
      const body = assertGroupList(await get("/Groups?startIndex=1&count=100"));
      assert.equal(body.startIndex, 1);
      assert.ok(body.Resources.some((each: ScimJson) => each.id === group.id && each.displayName === displayName));
      for (let i = 0; i < 3; i++)
        assertGroupResponse(
          await okta.post(
            "/Groups",
            { schemas: [groupSchemaUrn], displayName: `Filler ${i} ${tag()}`, members: [] },
            { headers: oktaPostHeaders },
          ),
          201,
        );
      const all = assertGroupList(await get("/Groups?startIndex=1&count=100"));
      const walked: string[] = [];
      for (let startIndex = 1; startIndex <= all.totalResults; startIndex += 1) {
        const page = assertGroupList(await get(`/Groups?startIndex=${startIndex}&count=1`));
        assert.equal(page.startIndex, startIndex);
        assert.equal(page.totalResults, all.totalResults);
        walked.push(page.Resources[0].id);
      }
      assert.deepEqual(
        walked,
        all.Resources.map((each: ScimJson) => each.id),
        "one page at a time gives the same list in the same order",
      );
    });

    test("GET /Groups/{id} returns it", async () => {
      const read = assertGroupResponse(await get(`/Groups/${group.id}`), 200);
      assert.equal(read.id, group.id);
      assert.equal(read.displayName, displayName);
    });

    test("members are added in batches, each PATCH with Okta's path-less rename: 204 and the new ETag", async () => {
      const before = (await get(`/Groups/${group.id}`)).headers.get("etag");
      const etag = assertPatched(
        await patch(
          oktaMembershipPatch(group.id, displayName, { op: "add", path: "members", value: [member(users[0]), member(users[1])] }),
        ),
      );
      assert.notEqual(etag, before, "the version moved");
      assert.equal((await get(`/Groups/${group.id}`)).headers.get("etag"), etag, "the ETag of the 204 is the group's current one");
      await assertMembership([0, 1]);
      assertPatched(
        await patch(
          oktaMembershipPatch(group.id, displayName, { op: "add", path: "members", value: [member(users[2]), member(users[3])] }),
        ),
      );
      await assertMembership([0, 1, 2, 3]);
    });

    test("members carry their type, $ref and display; adding a member twice keeps one", async () => {
      assertPatched(await patch(oktaMembershipPatch(group.id, displayName, { op: "add", path: "members", value: [member(users[0])] })));
      const read = assertGroupResponse(await get(`/Groups/${group.id}`), 200);
      assert.equal(read.members.length, 4);
      const first = read.members.find((each: ScimJson) => each.value === users[0]!.id);
      assert.equal(first.type, "User");
      assert.equal(first.$ref, `${product.baseUrl}/Users/${users[0]!.id}`);
      assert.ok([users[0]!.displayName, users[0]!.userName].includes(first.display), `display names the user: ${first.display}`);
    });

    test("the rename Okta sends with a membership change is applied", async () => {
      displayName = `Okta Push renamed ${tag()}`;
      assertPatched(await patch(oktaMembershipPatch(group.id, displayName)));
      assert.equal(assertGroupResponse(await get(`/Groups/${group.id}`), 200).displayName, displayName);
      const [, type] = (await groupsOfUser(okta, users[0]!.id))[0]!;
      assert.equal(type, "direct");
      const membership = (await get(`/Users/${users[0]!.id}`)).body.groups[0];
      assert.equal(membership.display, displayName, "a user's groups show the group's current name");
    });

    test('remove with members[value eq "…"] and add, in one request', async () => {
      assertPatched(
        await patch(
          oktaMembershipPatch(
            group.id,
            displayName,
            { op: "remove", path: `members[value eq "${users[0]!.id}"]` },
            { op: "add", path: "members", value: [member(users[4])] },
          ),
        ),
      );
      await assertMembership([1, 2, 3, 4]);
    });

    test("full push: replace of members sets exactly the list", async () => {
      assertPatched(
        await patch(
          oktaMembershipPatch(group.id, displayName, { op: "replace", path: "members", value: [member(users[2]), member(users[5])] }),
        ),
      );
      await assertMembership([2, 5]);
    });

    test("AIW apps: GET the group, then PUT it whole with the new member list", async () => {
      const current = assertGroupResponse(await get(`/Groups/${group.id}`), 200);
      const response = await okta.put(
        `/Groups/${group.id}`,
        { ...current, members: [member(users[0]), member(users[1]), member(users[2])] },
        { headers: oktaPostHeaders },
      );
      const replaced = assertGroupResponse(response, 200);
      assert.deepEqual(replaced.members.map((each: ScimJson) => each.value).sort(), [users[0]!.id, users[1]!.id, users[2]!.id].sort());
      assert.equal(replaced.meta.created, current.meta.created, "PUT keeps the server's meta.created");
      await assertMembership([0, 1, 2]);
    });

    test("a stale If-Match is 412 and changes nothing", async () => {
      const response = await okta.patch(
        `/Groups/${group.id}`,
        oktaMembershipPatch(group.id, displayName, { op: "add", path: "members", value: [member(users[5])] }),
        { headers: { ...oktaPostHeaders, "If-Match": 'W/"1"' } },
      );
      assertScimError(response, 412);
      await assertMembership([0, 1, 2]);
    });

    test("a group as a member: its members get the outer group as an indirect group", async () => {
      const outer = assertGroupResponse(
        await okta.post(
          "/Groups",
          { schemas: [groupSchemaUrn], displayName: `Outer ${tag()}`, members: [{ value: group.id, display: displayName }] },
          { headers: oktaPostHeaders },
        ),
        201,
      );
      assert.deepEqual(outer.members, [
        { value: group.id, $ref: `${product.baseUrl}/Groups/${group.id}`, type: "Group", display: displayName },
      ]);
      assert.deepEqual(
        await groupsOfUser(okta, users[0]!.id),
        [
          [group.id, "direct"],
          [outer.id, "indirect"],
        ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
      );
      assert.deepEqual(await groupsOfUser(okta, users[5]!.id), [], "a user in neither group has neither");

      // Unlinking the inner group deletes it: gone from the outer group and from its users.
      assert.equal((await okta.delete(`/Groups/${group.id}`, { headers: oktaHeaders })).status, 204);
      const gone = await get(`/Groups/${group.id}`);
      assert.equal(gone.status, 404);
      assert.ok(gone.body.schemas.includes(errorUrn));
      assert.deepEqual(await memberIds(okta, outer.id), []);
      for (const user of users) assert.deepEqual(await groupsOfUser(okta, user.id), [], "no user keeps a deleted group, directly or not");
      assert.equal((await okta.delete(`/Groups/${outer.id}`, { headers: oktaHeaders })).status, 204);
    });

    test("DELETE of a group already gone is 404", async () => {
      assertScimError(await okta.delete(`/Groups/${group.id}`, { headers: oktaHeaders }), 404);
    });
  });
