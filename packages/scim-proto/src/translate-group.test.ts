import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { GroupMemberSchema, GroupSchema, ResourceMetaSchema } from "@scimgw/proto";
import type { ScimResource } from "@scimgw/scim";
import { groupFromProto, groupToProto, memberFromProto } from "./translate-group.js";

const groupUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";

test("a group with members and an extension survives SCIM JSON -> protobuf bytes -> SCIM JSON", () => {
  const group: ScimResource = {
    schemas: [groupUrn, "urn:acme:2.0:Group"],
    id: "g1",
    externalId: "okta-00g1",
    displayName: "Tour Guides",
    "urn:acme:2.0:Group": { costCenter: "4130" },
  };
  const wire = fromBinary(
    GroupSchema,
    toBinary(
      GroupSchema,
      groupToProto({
        ...group,
        members: [
          { value: "u1", display: "Babs", type: "User" },
          { value: "g2", type: "Group" },
        ],
      }),
    ),
  );
  assert.deepEqual(
    wire.members.map((member) => member.value),
    ["u1", "g2"],
  );
  assert.deepEqual(groupFromProto(wire), group, "members render only when given");
  assert.deepEqual(
    groupFromProto(wire, { members: wire.members, memberRef: (member) => `https://x/v2/${member.type}s/${member.value}` }).members,
    [
      { value: "u1", $ref: "https://x/v2/Users/u1", type: "User", display: "Babs" },
      { value: "g2", $ref: "https://x/v2/Groups/g2", type: "Group" },
    ],
  );
});

test("RFC 7643 §4.2: a group as Okta creates it, with an empty member list and no externalId", () => {
  const group = groupToProto({ schemas: [groupUrn], displayName: "Push Group", members: [] });
  assert.deepEqual(group.members, []);
  assert.equal(group.externalId, undefined);
  assert.deepEqual(groupFromProto(group), { schemas: [groupUrn], displayName: "Push Group" });
});

test("meta is the directory's, with resourceType Group, location and a weak ETag; a client's meta is not carried", () => {
  const group = groupToProto({ schemas: [groupUrn], displayName: "g", meta: { resourceType: "Group", version: 'W/"99"' } });
  assert.equal(group.meta, undefined);
  group.id = "abc";
  group.meta = create(ResourceMetaSchema, {
    created: timestampFromDate(new Date("2026-01-02T03:04:05.678Z")),
    lastModified: timestampFromDate(new Date("2026-02-03T04:05:06.789Z")),
    version: 4n,
  });
  assert.deepEqual(groupFromProto(group, { location: "https://x.example/services/scim/v2/Groups/abc" }), {
    schemas: [groupUrn],
    id: "abc",
    displayName: "g",
    meta: {
      resourceType: "Group",
      created: "2026-01-02T03:04:05.678Z",
      lastModified: "2026-02-03T04:05:06.789Z",
      location: "https://x.example/services/scim/v2/Groups/abc",
      version: 'W/"4"',
    },
  });
});

test("one member renders value, $ref, type and display, leaving out what the directory did not set", () => {
  const ref = (member: { value: string }) => `../Users/${member.value}`;
  assert.deepEqual(memberFromProto(create(GroupMemberSchema, { value: "u1", type: "User", display: "babs@example.com" }), ref), {
    value: "u1",
    $ref: "../Users/u1",
    type: "User",
    display: "babs@example.com",
  });
  assert.deepEqual(memberFromProto(create(GroupMemberSchema, { value: "u2" })), { value: "u2" });
});
