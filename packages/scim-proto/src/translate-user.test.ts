import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResourceMetaSchema, UserSchema } from "@scimgw/proto";
import type { ScimResource } from "@scimgw/scim";
import { userFromProto, userToProto } from "./translate-user.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const custom = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

/** Every attribute of RFC 7643 §4.1 and §4.3, with every sub-attribute set (after RFC 7643 §8.2's full example). */
const fullUser: ScimResource = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise, custom],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "701984",
  userName: "bjensen@example.com",
  name: {
    formatted: "Ms. Barbara J Jensen, III",
    familyName: "Jensen",
    givenName: "Barbara",
    middleName: "Jane",
    honorificPrefix: "Ms.",
    honorificSuffix: "III",
  },
  displayName: "Babs Jensen",
  nickName: "Babs",
  profileUrl: "https://login.example.com/bjensen",
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true, display: "Work" },
    { value: "babs@jensen.org", type: "home" },
  ],
  addresses: [
    {
      type: "work",
      streetAddress: "100 Universal City Plaza",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "USA",
      formatted: "100 Universal City Plaza\nHollywood, CA 91608 USA",
      primary: true,
    },
    { type: "home", formatted: "456 Hollywood Blvd\nHollywood, CA 91608 USA" },
  ],
  phoneNumbers: [
    { value: "555-555-5555", type: "work" },
    { value: "555-555-4444", type: "mobile", primary: false },
  ],
  ims: [{ value: "someaimhandle", type: "aim" }],
  photos: [
    { value: "https://photos.example.com/profilephoto/72930000000Ccne/F", type: "photo" },
    { value: "https://photos.example.com/profilephoto/72930000000Ccne/T", type: "thumbnail" },
  ],
  userType: "Employee",
  title: "Tour Guide",
  preferredLanguage: "en-US",
  locale: "en-US",
  timezone: "America/Los_Angeles",
  active: true,
  groups: [
    {
      value: "e9e30dba-f08f-4109-8486-d5c6a331660a",
      $ref: "https://example.com/v2/Groups/e9e30dba",
      display: "Tour Guides",
      type: "direct",
    },
  ],
  entitlements: [{ value: "sandbox", display: "Sandbox", type: "env", primary: true }],
  roles: [{ value: "admin", type: "system" }],
  x509Certificates: [{ value: "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAw" }],
  [enterprise]: {
    employeeNumber: "701984",
    costCenter: "4130",
    organization: "Universal Studios",
    division: "Theme Park",
    department: "Tour Operations",
    manager: {
      value: "26118915-6090-4610-87e4-49d8ca9f808d",
      $ref: "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
      displayName: "John Smith",
    },
  },
  [custom]: { badge: "A-12", clearance: { level: 3, zones: ["north", "south"] }, contractor: false },
};

test("every core and enterprise attribute survives SCIM JSON -> protobuf bytes -> SCIM JSON", () => {
  const overTheWire = fromBinary(UserSchema, toBinary(UserSchema, userToProto(fullUser)));
  assert.deepEqual(userFromProto(overTheWire), fullUser);
});

test("the password crosses gRPC to the directory, and is never rendered back (returned: never)", () => {
  const user = fromBinary(UserSchema, toBinary(UserSchema, userToProto({ ...fullUser, password: "t1meMa$heen" })));
  assert.equal(user.password, "t1meMa$heen");
  assert.equal(userFromProto(user).password, undefined);
});

test("unset attributes stay unset: no nulls, no empty objects or arrays", () => {
  const minimal = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "minimal" };
  assert.deepEqual(userFromProto(userToProto(minimal)), minimal);
  assert.deepEqual(userFromProto(userToProto({ ...minimal, name: {}, [enterprise]: {} })), minimal);
});

test("an empty string and false are values, not absence", () => {
  const user = {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "u",
    title: "",
    active: false,
    emails: [{ value: "a@b.c", primary: false }],
  };
  assert.deepEqual(userFromProto(userToProto(user)), user);
});

test("meta is rendered from the directory's metadata, with location and a weak ETag", () => {
  const user = userToProto({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "m" });
  user.id = "abc";
  user.meta = create(ResourceMetaSchema, {
    created: timestampFromDate(new Date("2026-01-02T03:04:05.678Z")),
    lastModified: timestampFromDate(new Date("2026-02-03T04:05:06.789Z")),
    version: 7n,
  });
  assert.deepEqual(userFromProto(user, { location: "https://x.example/services/scim/v2/Users/abc" }).meta, {
    resourceType: "User",
    created: "2026-01-02T03:04:05.678Z",
    lastModified: "2026-02-03T04:05:06.789Z",
    location: "https://x.example/services/scim/v2/Users/abc",
    version: 'W/"7"',
  });
});

test("groups get a $ref from the gateway's groupRef where the directory set none", () => {
  const user = userToProto({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "g",
    groups: [
      { value: "g1", display: "Tour Guides", type: "direct" },
      { value: "g2", $ref: "https://elsewhere.example/Groups/g2", type: "indirect" },
    ],
  });
  assert.deepEqual(userFromProto(user, { groupRef: (group) => `https://x.example/v2/Groups/${group.value}` }).groups, [
    { value: "g1", $ref: "https://x.example/v2/Groups/g1", display: "Tour Guides", type: "direct" },
    { value: "g2", $ref: "https://elsewhere.example/Groups/g2", type: "indirect" },
  ]);
});
