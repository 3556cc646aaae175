// The SQL a filter compiles to must answer exactly as the SCIM core's in-memory evaluator does,
// on every store: each filter below runs both ways over the same users.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { UserSchema } from "@scimgw/proto";
import { matchesFilter, parseFilter, resolveFilter, ScimError, type Filter, type ResourceTypeDefinition } from "@scimgw/scim";
import { userFromProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { memberships } from "../memberships/membership-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { seedUsersInGroups, type SeededGroup } from "../test-support/seed-users-in-groups.js";
import { acmeUser, acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { createUserStore, matchingUsers, type UserStore } from "./user-store.js";

const users: Array<MessageInitShape<typeof UserSchema>> = [
  {
    userName: "bjensen@example.com",
    externalId: "701984",
    name: { givenName: "Barbara", familyName: "Jensen", formatted: "Ms. Barbara J Jensen III" },
    title: "Tour Guide",
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ],
    phoneNumbers: [{ value: "555-555-8377", type: "mobile" }],
    addresses: [{ type: "work", postalCode: "91608", locality: "Hollywood" }],
    enterprise: { employeeNumber: "701984", department: "Tour Operations", manager: { value: "mgr-1" } },
    active: true,
    extensions: {
      [acmeUser]: {
        tier: "Gold",
        code: "A1",
        seats: 10,
        ratio: 0.5,
        vip: true,
        hiredAt: "2020-01-01T00:00:00.1234567Z",
        regions: ["eu", "US"],
        badge: "B-1",
        contact: { email: "X@acme.io", kind: "Work" },
      },
    },
  },
  {
    userName: "Straße@Example.COM",
    name: { givenName: "Jürgen", familyName: "Straße" },
    title: "tour guide",
    // A tenant's extension is filtered like the enterprise one, by its own definitions.
    extensions: {
      [acmeUser]: {
        tier: "silver",
        code: "a1",
        seats: 2,
        hiredAt: "2020-01-01T00:00:00.1234568+00:00",
        regions: ["us"],
        badge: "b-2",
        contact: { email: "straße@acme.io", kind: "work" },
      },
    },
    // The second email has no type: it is none of emails.type's values.
    emails: [{ value: "STRASSE@EXAMPLE.COM", type: "work" }, { value: "js@example.de" }],
    enterprise: { department: "Finance" },
    active: false,
  },
  {
    userName: "odd_50%@example.org",
    externalId: "ABC",
    name: { familyName: "Employee" },
    emails: [{ value: "odd@example.org", type: "other" }],
    userType: "Contractor",
    extensions: { [acmeUser]: { tier: "GOLD", seats: 10, vip: false, hiredAt: "2019-12-31T23:00:00-02:00" } },
  },
  { userName: "bare@example.net", nickName: "" },
];

const filters = [
  'userName eq "BJENSEN@example.com"',
  'userName eq "strasse@example.com"',
  'userName co "50%"',
  'userName co "_"',
  'userName sw "B"',
  'userName ew ".ORG"',
  'userName gt "c"',
  'userName le "bjensen@example.com"',
  'externalId eq "abc"',
  'externalId eq "ABC"',
  "externalId pr",
  "not (externalId pr)",
  'externalId ne "ABC"',
  "active eq true",
  "active eq false",
  "active ne true",
  'title eq "TOUR GUIDE"',
  'title co "guide"',
  "title pr",
  'not (title eq "tour guide")',
  "nickName pr",
  'name.familyName eq "Jensen"',
  'name.familyName eq "STRASSE"',
  'name.givenName sw "j"',
  'name.formatted co "barbara j"',
  'emails.value co "example.com"',
  'emails co "jensen.org"',
  'emails.type eq "home"',
  'emails[type eq "work" and value co "@example.com"]',
  'emails[type eq "work"].value eq "strasse@example.com"',
  'emails[type eq "home" or type eq "other"]',
  'emails[not (type eq "work")]',
  "emails pr",
  "emails.primary eq true",
  'phoneNumbers[type eq "mobile"].value eq "555-555-8377"',
  'addresses[type eq "work"].postalCode eq "91608"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "tour"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "mgr-1"',
  // A value filter on the single-valued manager tests that one object (found by the filter fuzzer).
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "mgr-1"]',
  "not (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[not (value pr)])",
  // `emails eq null` asks whether emails is unassigned (RFC 7643 §2.5).
  "emails eq null",
  "not (emails eq null)",
  // ...and a sub-attribute of one, whether no value has it (found by the filter fuzzer).
  "roles.value eq null",
  "emails.value eq null",
  "emails.display eq null",
  "not (emails.display eq null)",
  'emails[type eq "home"].display eq null',
  // `ne` on a multi-valued attribute: no value assigned, or some assigned value differs.
  'emails.type ne "work"',
  'emails.type ne "home"',
  'emails ne "bjensen@example.com"',
  'phoneNumbers.type ne "mobile"',
  'roles.value ne "x"',
  'not (emails.type ne "work")',
  // An empty string is as unassigned as null: `eq null` is `not pr` (bare@example.net's nickName is "").
  "nickName eq null",
  "nickName ne null",
  "not (nickName pr)",
  'userType eq "contractor" or title sw "TOUR"',
  '(name.familyName eq "Employee" or name.familyName eq "Jensen") and emails.value co "example"',
  'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
  'meta.created gt "2000-01-01T00:00:00Z"',
  'meta.lastModified lt "2000-01-01T00:00:00+02:00"',
  "name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)",
  'id eq "not-an-id"',
  // User.groups is derived from the memberships (RFC 7643 §4.1.2): a filter on it reads the groups
  // the representation lists, direct and nested, with the same `type`. {staff} and friends are the
  // ids of the groups seeded below (bjensen in Tour Guides, inside Staff; Straße in Staff; bare in
  // Cycle A, which holds Cycle B, which holds Cycle A; odd_50% in none).
  'groups.value eq "{staff}"',
  'groups.value eq "{STAFF}"',
  'groups eq "{tour}"',
  'groups.value ne "{tour}"',
  'groups.value gt "{staff}"',
  "groups pr",
  "not (groups pr)",
  "groups eq null",
  "groups.display pr",
  'groups.display eq "STAFF"',
  'groups.display co "tour"',
  'groups.display sw "CYCLE"',
  'groups.display lt "s"',
  'groups.type eq "direct"',
  'groups.type eq "Indirect"',
  'groups.type ne "direct"',
  'groups[value eq "{staff}" and type eq "direct"]',
  'groups[value eq "{staff}" and type eq "indirect"]',
  // Not the same group: bjensen is in Staff indirectly and in Tour Guides directly.
  'groups.value eq "{staff}" and groups.type eq "direct"',
  'groups[display eq "cycle b" and type eq "indirect"]',
  'groups[not (type eq "direct")]',
  'not (groups[type eq "indirect"])',
  '(groups[display co "cycle"] or groups.value eq "{tour}") and emails pr',
  'userName sw "b" and not (groups.display eq "Staff")',
  // The tenant's own extension (acmeUserExtension): each type, caseExact both ways, sub-millisecond dateTimes.
  `${acmeUser}:tier eq "gold"`,
  `${acmeUser}:tier co "OL"`,
  `${acmeUser}:code eq "A1"`,
  `${acmeUser}:code eq "a1"`,
  `${acmeUser}:code sw "a"`,
  `${acmeUser}:code gt "B"`,
  `${acmeUser}:seats gt 5`,
  `${acmeUser}:seats eq 2`,
  `${acmeUser}:ratio lt 1`,
  `${acmeUser}:vip eq false`,
  `${acmeUser}:vip ne true`,
  `${acmeUser}:hiredAt gt "2020-01-01T00:00:00.1234567Z"`,
  `${acmeUser}:hiredAt le "2020-01-01T01:00:00.1234567+01:00"`,
  `${acmeUser}:hiredAt eq "2020-01-01T01:00:00+02:00"`,
  `${acmeUser}:regions eq "us"`,
  `${acmeUser}:regions ne "eu"`,
  `${acmeUser}:regions pr`,
  `${acmeUser}:badge eq "b-1"`,
  `${acmeUser}:contact.kind eq "work"`,
  `${acmeUser}:contact.email eq "STRASSE@acme.io"`,
  `${acmeUser}:contact[kind eq "Work" and email co "x@"]`,
  `not (${acmeUser}:tier pr)`,
  `${acmeUser}:tier eq "gold" and ${acmeUser}:seats ge 10`,
  `schemas eq "${acmeUser}"`,
];

/** The seeded groups: display name, then its members (indexes into `users`, or names of groups). */
const groups: SeededGroup[] = [
  ["Tour Guides", [0]],
  ["Staff", ["Tour Guides", 1]],
  ["Cycle A", [3]],
  ["Cycle B", ["Cycle A"]],
];
const placeholders: Record<string, string> = { "{tour}": "Tour Guides", "{staff}": "Staff", "{STAFF}": "Staff" };

for (const storeUnderTest of storesUnderTest) {
  describe(`filters as SQL agree with the SCIM core on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    let userResourceType: ResourceTypeDefinition;
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("filters")).id;
      const noise = (await createTenantStore(db).create("noise")).id;
      for (const tenantId of [tenant, noise]) {
        await registerExtension(db, tenantId, acmeUserExtension);
        // Another tenant's twins, with groups of the same names, must never match.
        const { groupIds } = await seedUsersInGroups(db, store, tenantId, users, groups);
        // Cycle B is a member of Cycle A too: the walk up from a member must end.
        await db.transaction((trx) => memberships.add(trx, tenantId, groupIds.get("Cycle A") ?? "", [groupIds.get("Cycle B") ?? ""]));
        if (tenantId === tenant) {
          for (const [placeholder, displayName] of Object.entries(placeholders)) {
            const id = groupIds.get(displayName) ?? "";
            groupIdOf[placeholder] = placeholder === placeholder.toUpperCase() ? id.toUpperCase() : id;
          }
        }
      }
      // The tenant's User resource type, with its extension: filters resolve by it, as the service does.
      userResourceType = (await store.schemas.get(tenant)).user;
    });
    const groupIdOf: Record<string, string> = {};
    /** The filter with the seeded groups' ids in place of their placeholders. */
    const withIds = (text: string) => text.replace(/\{[a-zA-Z]+\}/g, (placeholder) => groupIdOf[placeholder] ?? placeholder);
    after(() => dispose());

    for (const text of filters) {
      test(text, async () => {
        const filter = resolveFilter(parseFilter(withIds(text)), userResourceType);
        const all = (await store.list(tenant, undefined, 1, 1000)).users;
        const expected = all
          .filter((user) => matchesFilter(userFromProto(user), filter, userResourceType))
          .map((user) => user.userName)
          .sort();
        const page = await store.list(tenant, filter, 1, 1000);
        assert.deepEqual(page.users.map((user) => user.userName).sort(), expected);
        assert.equal(page.totalResults, expected.length);
      });
    }

    // Found by fuzzing: PostgreSQL failed the query (invalid byte sequence 0x00), a 500 instead of a 400.
    test("a string literal with U+0000 is a 400 invalidFilter, not a store failure", async () => {
      const refused = (error: unknown) => error instanceof ScimError && error.scimType === "invalidFilter";
      // From text, the parser refuses it (as the gateway parses); a gRPC caller's filter tree is
      // refused by the compiler, before any store sees it.
      for (const text of ['title eq "\\u0000"', 'userName co "a\\u0000"', 'emails[value sw "\\u0000"]']) {
        await assert.rejects(async () => store.list(tenant, resolveFilter(parseFilter(text), userResourceType), 1, 10), refused, text);
      }
      for (const attribute of ["title", "userName"]) {
        const tree: Filter = { kind: "compare", path: { attribute }, operator: "co", value: "a\u0000" };
        await assert.rejects(store.list(tenant, resolveFilter(tree, userResourceType), 1, 10), refused, attribute);
      }
    });

    test("groups.$ref is refused with invalidFilter saying why: only the gateway knows the group's URL", async () => {
      for (const text of ["groups.$ref pr", 'groups[$ref co "Groups"]', 'groups.$ref eq "x" or groups pr']) {
        await assert.rejects(
          store.list(tenant, resolveFilter(parseFilter(text), userResourceType), 1, 10),
          (error) => error instanceof ScimError && error.scimType === "invalidFilter" && /base URL/.test(error.message),
          text,
        );
      }
    });

    if (storeUnderTest.name === "sqlite") {
      test("a groups filter walks each user's memberships up from the user, through the (tenant, member) index", async () => {
        const filter = resolveFilter(parseFilter(withIds('groups[value eq "{staff}" and type eq "direct"]')), userResourceType);
        const { sql, bindings } = matchingUsers(db, tenant, filter).toSQL();
        const plan: Array<{ detail: string }> = await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings);
        const details = plan.map((row) => row.detail);
        assert.ok(
          details.some((detail) => /group_members_tenant_member_index/.test(detail)),
          details.join("\n"),
        );
        // Every read of group_members or groups is an index search, never a scan of them.
        for (const detail of details) assert.doesNotMatch(detail, /SCAN (m|parent|d|g|group_members|groups)\b/, details.join("\n"));
      });
    }

    if (storeUnderTest.name === "sqlite") {
      test('groups.value eq "<id>" walks down from that one group through the primary key, not up from every user', async () => {
        const filter = resolveFilter(parseFilter(withIds('groups.value eq "{staff}"')), userResourceType);
        const { sql, bindings } = matchingUsers(db, tenant, filter).toSQL();
        const plan: Array<{ detail: string }> = await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings);
        const details = plan.map((row) => row.detail);
        assert.ok(
          details.some((detail) => /SEARCH m USING (COVERING INDEX|PRIMARY KEY|INDEX) .*group_id=\?/.test(detail)),
          details.join("\n"),
        );
        // No recursion per user: the walk up through the member index is not in the plan.
        for (const detail of details) assert.doesNotMatch(detail, /group_members_tenant_member_index|CORRELATED/, details.join("\n"));
      });
    }

    test("the filters above are not all trivial: most select some users but not all", async () => {
      let selective = 0;
      for (const text of filters) {
        const count = (await store.list(tenant, resolveFilter(parseFilter(withIds(text)), userResourceType), 1, 0)).totalResults;
        if (count > 0 && count < users.length) selective++;
      }
      assert.ok(selective >= filters.length * 0.7, `only ${selective} of ${filters.length} filters are selective`);
    });
  });
}
