// A group's members are written to the client as the gateway reads them from the directory, page
// by page, so no response holds a huge group in memory. Here the gateway reads 3 members per
// directory call (GROUP_MEMBER_PAGE_SIZE), so every group below spans several pages: each response
// must still be one complete, correct JSON document, on every endpoint that returns groups.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { randomUserName, scimClient, userSchemaUrn, type ScimClient } from "./support/scim-client.js";
import { assertListResponse, assertUserResponse, searchRequestUrn, type ScimJson } from "./support/scim-checks.js";
import { assertGroupList, assertGroupResponse, groupSchemaUrn } from "./support/group-checks.js";

const pageSize = 3;

for (const store of await storeKindsUnderTest())
  describe(`group members streamed page by page on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    const userIds: string[] = [];
    let big: ScimJson;
    let nested: ScimJson;
    let empty: ScimJson;

    const expectedMembers = () =>
      [
        ...userIds.map((id) => ({ value: id, $ref: `${product.baseUrl}/Users/${id}`, type: "User" })),
        { value: nested.id, $ref: `${product.baseUrl}/Groups/${nested.id}`, type: "Group", display: nested.displayName },
      ].sort((a, b) => (a.value < b.value ? -1 : 1));
    /** Members without `display` for users (a user's display is the directory's choice of name). */
    const withoutUserDisplay = (members: ScimJson[]) =>
      members
        .map((member) => (member.type === "User" ? { ...member, display: undefined } : member))
        .map((m) => JSON.parse(JSON.stringify(m)));

    before(async () => {
      product = await Product.start({ store, gatewayEnv: { GROUP_MEMBER_PAGE_SIZE: String(pageSize) } });
      scim = scimClient(product.baseUrl, product.apiKey);
      for (let i = 0; i < 10; i++) {
        userIds.push(
          assertUserResponse(
            await scim.post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`stream${i}`), displayName: `Streamed ${i}` }),
            201,
          ).id,
        );
      }
      nested = assertGroupResponse(
        await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Nested", members: [{ value: userIds[0] }] }),
        201,
      );
      empty = assertGroupResponse(await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Empty" }), 201);
      const members = [...userIds, nested.id].map((value) => ({ value }));
      big = assertGroupResponse(await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Big", members }), 201);
    });
    after(() => product.stop());

    test("POST answers with every member read back, across four pages", async () => {
      assert.deepEqual(withoutUserDisplay(big.members), expectedMembers());
      for (const member of big.members)
        if (member.type === "User") assert.match(member.display, /^(Streamed \d|stream\d\.)/, "a user's display is its name");
    });

    test("GET /Groups/{id} writes the members as they are read: one document, no Content-Length", async () => {
      const response = await scim.get(`/Groups/${big.id}`);
      const group = assertGroupResponse(response, 200);
      assert.equal(response.headers.get("content-length"), null);
      assert.deepEqual(group, big, "the same group as the POST answered");
      assert.deepEqual(Object.keys(group), ["schemas", "id", "displayName", "members", "meta"]);
    });

    test("projection applies to the streamed group: attributes=members.value, attributes=displayName, excludedAttributes=members", async () => {
      const projected = await scim.get(`/Groups/${big.id}?attributes=members.value`);
      assert.equal(projected.status, 200);
      assert.equal(projected.headers.get("content-length"), null);
      assert.deepEqual(
        projected.body,
        { schemas: [groupSchemaUrn], id: big.id, members: expectedMembers().map(({ value }) => ({ value })) },
        "only id (returned always) and the members' ids",
      );
      for (const query of ["attributes=displayName", "excludedAttributes=members"]) {
        const response = await scim.get(`/Groups/${big.id}?${query}`);
        assert.equal(response.status, 200);
        assert.equal(response.body.members, undefined, query);
        assert.equal(response.body.displayName, "Big");
        assert.notEqual(response.headers.get("content-length"), null, "without members the body is sent whole");
      }
    });

    test("GET /Groups and POST /Groups/.search stream every group's members", async () => {
      const expected = new Map([
        [big.id, expectedMembers().length],
        [nested.id, 1],
        [empty.id, undefined],
      ]);
      const listed = assertGroupList(await scim.get("/Groups?startIndex=1&count=10"));
      const searched = assertGroupList(await scim.post("/Groups/.search", { schemas: [searchRequestUrn], startIndex: 1, count: 10 }));
      for (const body of [listed, searched]) {
        assert.equal(body.totalResults, 3);
        assert.deepEqual(new Map(body.Resources.map((group: ScimJson) => [group.id, group.members?.length])), expected);
      }
      const bigListed = listed.Resources.find((group: ScimJson) => group.id === big.id);
      assert.deepEqual(bigListed, big);
    });

    test("the root /.search spans Users then Groups, paging over both", async () => {
      const search = (more: Record<string, unknown>) => scim.post("/.search", { schemas: [searchRequestUrn], ...more });
      const all = assertListResponse(await search({ startIndex: 1, count: 100 }));
      assert.equal(all.totalResults, 13);
      assert.deepEqual(
        all.Resources.map((resource: ScimJson) => resource.meta.resourceType),
        [...Array(10).fill("User"), ...Array(3).fill("Group")],
        "Users first, then Groups",
      );
      const straddling = assertListResponse(await search({ startIndex: 9, count: 4, excludedAttributes: ["members"] }));
      assert.equal(straddling.startIndex, 9);
      assert.equal(straddling.itemsPerPage, 4);
      assert.deepEqual(
        straddling.Resources.map((resource: ScimJson) => resource.id),
        all.Resources.slice(8, 12).map((resource: ScimJson) => resource.id),
      );
      assert.equal(straddling.Resources[3].members, undefined);
      const groupsOnly = assertListResponse(await search({ filter: 'displayName eq "Big"' }));
      assert.deepEqual(
        groupsOnly.Resources.map((resource: ScimJson) => resource.id),
        [big.id],
        "displayName is an attribute of both: Users have none named Big",
      );
      assert.deepEqual(groupsOnly.Resources[0], big);
    });
  });
