// The /Groups routes and the root /.search in process, over real HTTP, against a fake directory
// that records its calls: what matters here is which directory calls a request makes (none for
// members when they are not returned) and how a group of many member pages is written.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, RpcError } from "@scimgw/directory-client";
import { GroupMemberSchema, GroupSchema, ResourceMetaSchema, UserSchema, type Group, type GroupMember, type User } from "@scimgw/proto";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import type { DirectoryClient } from "@scimgw/directory-client";

const meta = (version: bigint) =>
  create(ResourceMetaSchema, {
    created: timestampFromDate(new Date("2026-01-01T00:00:00Z")),
    lastModified: timestampFromDate(new Date("2026-01-02T00:00:00Z")),
    version,
  });

interface FakeGroup {
  group: Group;
  members: GroupMember[];
}

/** An in-memory directory with just enough behaviour for the routes, recording every call. */
function fakeDirectory() {
  const calls: Array<{ method: string; request: Record<string, unknown> }> = [];
  const groups = new Map<string, FakeGroup>();
  const users: User[] = [];
  let failMembersAfter: string | undefined;
  const record = (method: string, request: Record<string, unknown>) => calls.push({ method, request });
  const paged = <T>(items: T[], startIndex: bigint, count: number) => items.slice(Number(startIndex) - 1, Number(startIndex) - 1 + count);
  const directory = {
    apiKeys: { verifyApiKey: async () => ({ tenantId: "t1", keyId: "k1" }) },
    users: {
      async listUsers(request: { startIndex: bigint; count: number; filter?: unknown }) {
        record("listUsers", request);
        return { users: paged(users, request.startIndex, request.count), totalResults: BigInt(users.length) };
      },
    },
    groups: {
      async createGroup(request: { group: Group }) {
        record("createGroup", request);
        const id = `g${groups.size + 1}`;
        const group = create(GroupSchema, { ...request.group, id, members: [], meta: meta(1n) });
        groups.set(id, {
          group,
          members: request.group.members.map((member) =>
            create(GroupMemberSchema, { value: member.value, type: "User", display: `name-${member.value}` }),
          ),
        });
        return { group };
      },
      async getGroup(request: { id: string }) {
        record("getGroup", request);
        const found = groups.get(request.id);
        if (!found) throw new RpcError(Code.NOT_FOUND, `group "${request.id}" not found`);
        return { group: found.group, hasMembers: found.members.length > 0 };
      },
      async listGroups(request: { startIndex: bigint; count: number; filter?: unknown }) {
        record("listGroups", request);
        const all = [...groups.values()].map((entry) => entry.group);
        return { groups: paged(all, request.startIndex, request.count), totalResults: BigInt(all.length) };
      },
      async listGroupMembers(request: { groupId: string; afterMemberId: string; limit: number }) {
        record("listGroupMembers", request);
        if (failMembersAfter !== undefined && request.afterMemberId === failMembersAfter)
          throw new RpcError(Code.UNAVAILABLE, "directory went away");
        const found = groups.get(request.groupId);
        if (!found) throw new RpcError(Code.NOT_FOUND, `group "${request.groupId}" not found`);
        const members = found.members.filter((member) => member.value > request.afterMemberId).slice(0, request.limit);
        return { members, nextAfterMemberId: members.length === request.limit ? members[members.length - 1]!.value : "" };
      },
      async patchGroup(request: { id: string }) {
        record("patchGroup", request);
        const found = groups.get(request.id)!;
        found.group = create(GroupSchema, { ...found.group, meta: meta(found.group.meta!.version + 1n) });
        return { group: found.group };
      },
      async deleteGroup(request: { id: string }) {
        record("deleteGroup", request);
        groups.delete(request.id);
        return {};
      },
    },
    close() {},
  };
  return {
    directory: directory as unknown as DirectoryClient,
    calls,
    /** The calls of one method since the last reset. */
    callsOf: (method: string) => calls.filter((call) => call.method === method),
    reset() {
      calls.length = 0;
      failMembersAfter = undefined;
    },
    addGroup(id: string, displayName: string, memberIds: string[]) {
      const members = [...memberIds]
        .sort()
        .map((value) => create(GroupMemberSchema, { value, type: value.startsWith("g") ? "Group" : "User", display: `name-${value}` }));
      groups.set(id, { group: create(GroupSchema, { id, displayName, meta: meta(3n) }), members });
    },
    addUser(id: string) {
      users.push(create(UserSchema, { id, userName: `${id}@example.com`, meta: meta(1n) }));
    },
    failMembersAfter(memberId: string) {
      failMembersAfter = memberId;
    },
  };
}

describe("the /Groups routes over a fake directory", () => {
  const fake = fakeDirectory();
  let server: Server;
  let base = "";
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: "Bearer k", "Content-Type": "application/scim+json", Accept: "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text === "" ? undefined : JSON.parse(text) };
  };

  before(async () => {
    const app = createGateway({
      ...testGatewayOptions(fake.directory),
      apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 1000, maxEntries: 10 },
      memberPageSize: 2,
      // The fake directory's ids are short names, not the directory's UUIDs.
      isResourceId: () => true,
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${scimRoot}`;
    fake.addGroup("big", "Big", ["u1", "u2", "u3", "u4", "g9"]);
    fake.addGroup("small", "Small", ["u1"]);
    fake.addGroup("empty", "Empty", []);
    for (const id of ["u1", "u2", "u3"]) fake.addUser(id);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => fake.reset());

  test("GET /Groups/{id} reads the members page by page and writes one JSON document", async () => {
    const response = await send("GET", "/Groups/big");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/scim\+json/);
    assert.equal(response.headers.get("etag"), 'W/"3"');
    assert.equal(response.headers.get("content-length"), null, "a group of several pages is streamed");
    assert.deepEqual(Object.keys(response.body), ["schemas", "id", "displayName", "members", "meta"]);
    assert.deepEqual(response.body.members, [
      { value: "g9", $ref: `${base}/Groups/g9`, type: "Group", display: "name-g9" },
      ...["u1", "u2", "u3", "u4"].map((id) => ({ value: id, $ref: `${base}/Users/${id}`, type: "User", display: `name-${id}` })),
    ]);
    assert.equal(response.body.meta.location, `${base}/Groups/big`);
    assert.deepEqual(
      fake.callsOf("listGroupMembers").map((call) => call.request.afterMemberId),
      ["", "u1", "u3"],
      "three pages of two, each after the last id of the one before",
    );
  });

  test("excludedAttributes=members (Entra's every lookup) makes no ListGroupMembers call", async () => {
    const response = await send("GET", "/Groups/big?excludedAttributes=members");
    assert.equal(response.status, 200);
    assert.equal(response.body.members, undefined);
    assert.equal(response.body.displayName, "Big");
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
    const list = await send("GET", `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Big"')}`);
    assert.equal(list.status, 200);
    assert.ok(list.body.Resources.every((group: { members?: unknown }) => group.members === undefined));
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
  });

  test("attributes without members make no member call either; attributes=members.value returns only the ids", async () => {
    assert.equal((await send("GET", "/Groups/big?attributes=displayName")).body.members, undefined);
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
    const ids = await send("GET", "/Groups/big?attributes=members.value");
    assert.deepEqual(
      ids.body.members,
      ["g9", "u1", "u2", "u3", "u4"].map((value) => ({ value })),
    );
    assert.equal(ids.body.displayName, undefined);
    assert.equal(ids.body.id, "big", "id is always returned");
  });

  test("a group known to be empty is read without a member call, and shows no members", async () => {
    const response = await send("GET", "/Groups/empty");
    assert.equal(response.status, 200);
    assert.equal(response.body.members, undefined);
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
  });

  test("If-None-Match with the current version is 304 before any member is read", async () => {
    const response = await send("GET", "/Groups/big", undefined);
    fake.reset();
    const notModified = await fetch(`${base}/Groups/big`, {
      headers: { Authorization: "Bearer k", "If-None-Match": response.headers.get("etag")! },
    });
    assert.equal(notModified.status, 304);
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
  });

  test("GET /Groups lists each group with its members, streamed, and excludes them on request", async () => {
    const response = await send("GET", "/Groups?startIndex=1&count=100");
    assert.equal(response.status, 200);
    assert.equal(response.body.totalResults, 3);
    assert.equal(response.body.itemsPerPage, 3);
    assert.equal(response.body.startIndex, 1);
    assert.deepEqual(
      response.body.Resources.map((group: { id: string; members?: Array<{ value: string }> }) => [
        group.id,
        group.members?.map((member) => member.value),
      ]),
      [
        ["big", ["g9", "u1", "u2", "u3", "u4"]],
        ["small", ["u1"]],
        ["empty", undefined],
      ],
    );
  });

  test("a member page that fails mid-response cuts the response short rather than end it as valid JSON", async () => {
    fake.failMembersAfter("u1");
    await assert.rejects(send("GET", "/Groups/big"));
  });

  test("a failure reading the first page is an ordinary SCIM error", async () => {
    fake.failMembersAfter("");
    const response = await send("GET", "/Groups/big");
    assert.equal(response.status, 503);
    assert.deepEqual(response.body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
  });

  test("PATCH answers 204 with the new ETag; with attributes, 200 and the projected group", async () => {
    const patch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: "x" }],
    };
    const noContent = await send("PATCH", "/Groups/small", patch);
    assert.equal(noContent.status, 204);
    assert.equal(noContent.text, "");
    assert.equal(noContent.headers.get("etag"), 'W/"4"');
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
    const withBody = await send("PATCH", "/Groups/small?attributes=displayName", patch);
    assert.equal(withBody.status, 200);
    assert.deepEqual(Object.keys(withBody.body).sort(), ["displayName", "id", "schemas"]);
    assert.equal(withBody.headers.get("etag"), 'W/"5"');
  });

  test("POST reads the created members back; a group created empty costs no member call", async () => {
    const created = await send("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "New",
      members: [{ value: "u2", display: "ignored" }],
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("location"), created.body.meta.location);
    assert.deepEqual(created.body.members, [{ value: "u2", $ref: `${base}/Users/u2`, type: "User", display: "name-u2" }]);
    fake.reset();
    const empty = await send("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Okta push",
      members: [],
    });
    assert.equal(empty.status, 201);
    assert.equal(empty.body.members, undefined);
    assert.deepEqual(fake.callsOf("listGroupMembers"), []);
    await send("DELETE", `/Groups/${created.body.id}`);
    await send("DELETE", `/Groups/${empty.body.id}`);
  });

  describe("the root /.search spans Users then Groups (RFC 7644 §3.4.3)", () => {
    const search = (more: Record<string, unknown>) =>
      send("POST", "/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], ...more });
    const ids = (body: { Resources: Array<{ id: string }> }) => body.Resources.map((resource) => resource.id);

    test("a page that straddles the end of the users continues with the first groups", async () => {
      const body = (await search({ startIndex: 2, count: 3, excludedAttributes: ["members"] })).body;
      assert.equal(body.totalResults, 6);
      assert.equal(body.itemsPerPage, 3);
      assert.equal(body.startIndex, 2);
      assert.deepEqual(ids(body), ["u2", "u3", "big"]);
      assert.deepEqual(
        fake.callsOf("listGroups").map((call) => [Number(call.request.startIndex), call.request.count]),
        [[1, 1]],
      );
    });

    test("a page past the users starts inside the groups, members included", async () => {
      const body = (await search({ startIndex: 5, count: 10 })).body;
      assert.deepEqual(ids(body), ["small", "empty"]);
      assert.deepEqual(
        body.Resources[0].members.map((member: { value: string }) => member.value),
        ["u1"],
      );
      assert.deepEqual(
        fake.callsOf("listGroups").map((call) => Number(call.request.startIndex)),
        [2],
      );
    });

    test("count 0 asks each type for its total only", async () => {
      const body = (await search({ count: 0 })).body;
      assert.deepEqual([body.totalResults, body.itemsPerPage, body.Resources], [6, 0, []]);
    });

    test("a filter only Users can answer leaves Groups out; one neither can answer is 400", async () => {
      const body = (await search({ filter: 'userName sw "u"' })).body;
      assert.deepEqual(ids(body), ["u1", "u2", "u3"]);
      assert.deepEqual(fake.callsOf("listGroups"), []);
      const invalid = await search({ filter: 'nonsense eq "x"' });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.scimType, "invalidFilter");
    });
  });
});
