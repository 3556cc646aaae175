// Generated filters over seeded users, as SQL on every store: each either answers exactly as the
// SCIM core's in-memory evaluator does, or is refused with a ScimError (400 invalidFilter): never
// another exception, never a hang (each query runs under the test's timeout).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { UserSchema } from "@scimgw/proto";
import { createFilterPredicate, parseFilter, resolveFilter, ScimError, type Filter, type ResourceTypeDefinition } from "@scimgw/scim";
import { filterFromProto, filterToProto, userFromProto } from "@scimgw/scim-proto";
import { fuzzParameters, garbledFilterText, userFilterText } from "@scimgw/test-fuzz";
import fc from "fast-check";
import type { Knex } from "knex";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { seedUsersInGroups, type SeededGroup } from "../test-support/seed-users-in-groups.js";
import { acmeUser, acmeUserExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { createUserStore, type UserStore } from "./user-store.js";

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
    addresses: [{ type: "work", postalCode: "91608" }],
    enterprise: { employeeNumber: "701984", department: "Tour Operations", manager: { value: "mgr-1" } },
    active: true,
    extensions: {
      [acmeUser]: {
        tier: "Gold",
        code: "Straße",
        seats: 10,
        ratio: -0.5,
        vip: true,
        hiredAt: "2020-01-01T00:00:00.1234567Z",
        regions: ["eu", "İı"],
        contact: { email: "X@acme.io", kind: "Work" },
      },
    },
  },
  {
    userName: "Straße@Example.COM",
    name: { givenName: "Jürgen", familyName: "Straße" },
    title: "𝔘ser",
    emails: [{ value: "STRASSE@EXAMPLE.COM", type: "work" }],
    enterprise: { department: "Finance" },
    active: false,
    extensions: {
      [acmeUser]: {
        tier: "gold",
        code: "STRASSE",
        seats: 2,
        hiredAt: "2020-01-01T00:00:00.1234568Z",
        regions: [""],
        contact: { kind: "work" },
      },
    },
  },
  {
    userName: "odd_50%@example.org",
    externalId: "ABC",
    name: { familyName: "Ærø" },
    emails: [{ value: "odd\\@example.org", type: "other" }],
    userType: "Contractor",
    roles: [{ value: "" }],
  },
  {
    userName: "bare@example.net",
    nickName: "",
    title: "\uFFFD",
    extensions: { [acmeUser]: { tier: "BRONZE", seats: 0, vip: false, code: "" } },
  },
  { userName: "é", externalId: "e\u0301", displayName: "İı" },
];

/**
 * The seeded groups (display name, then members: indexes into `users`, or names of groups), so
 * that User.groups, which is derived from the memberships, has direct, nested and cyclic values to
 * filter: the names reuse the generators' fragments so that `groups.display` comparisons match.
 */
const groups: SeededGroup[] = [
  ["Tour Guide", [0, 2]],
  ["Straße", ["Tour Guide", 1]],
  ["İı", [4, "e\u0301"]],
  ["e\u0301", ["İı"]],
];

/** Comparisons of the tenant's extension attributes (acmeUserExtension), with values near the seeded ones. */
const extensionFilterText = fc
  .tuple(
    fc.constantFrom("tier", "code", "seats", "ratio", "vip", "hiredAt", "regions", "contact.email", "contact.kind", "badge"),
    fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"),
    fc.constantFrom(
      '"gold"',
      '"GOLD"',
      '"straße"',
      '"STRASSE"',
      '"ı"',
      '""',
      '"work"',
      '"x@acme.io"',
      "10",
      "2",
      "0",
      "-0.5",
      "true",
      "false",
      "null",
      '"2020-01-01T00:00:00.1234567Z"',
      '"2020-01-01T01:00:00.12345675+01:00"',
    ),
    fc.constantFrom("", "not ", "and", "or"),
  )
  .chain(([path, operator, value, joined]) => {
    const leaf = operator === "pr" ? `${acmeUser}:${path} pr` : `${acmeUser}:${path} ${operator} ${value}`;
    if (joined === "and" || joined === "or") return userFilterText.map((other) => `${leaf} ${joined} ${other}`);
    return fc.constant(joined === "" ? leaf : `not (${leaf})`);
  });

/** A filter as the directory receives it, or undefined when the SCIM core refuses it (as the gateway would). */
function resolvedOrRefused(text: string, userResourceType: ResourceTypeDefinition): Filter | undefined {
  try {
    // Through the protobuf translation, as the gateway sends it.
    return filterFromProto(filterToProto(resolveFilter(parseFilter(text), userResourceType)));
  } catch (error) {
    if (error instanceof ScimError) return undefined;
    throw error;
  }
}

for (const storeUnderTest of storesUnderTest) {
  describe(`generated filters as SQL agree with the SCIM core on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: UserStore;
    let tenant = "";
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createUserStore(db);
      tenant = (await createTenantStore(db).create("fuzz")).id;
      const noise = (await createTenantStore(db).create("noise")).id;
      for (const tenantId of [tenant, noise]) {
        await registerExtension(db, tenantId, acmeUserExtension);
        // Another tenant's twins, in groups of the same names, must never match.
        const { groupIds } = await seedUsersInGroups(db, store, tenantId, users, groups);
        if (tenantId === tenant) seededGroupIds.push(...groupIds.values());
      }
    });
    const seededGroupIds: string[] = [];
    after(() => dispose());

    test("each generated filter selects what the in-memory evaluator selects, or is a ScimError", { timeout: 120_000 }, async () => {
      // The tenant's User resource type, with its extension, as the service resolves filters by it.
      const userResourceType = (await store.schemas.get(tenant)).user;
      const all = (await store.list(tenant, undefined, 1, 1000)).users;
      const resources = all.map((user) => ({ userName: user.userName, resource: userFromProto(user) }));
      let compared = 0;
      // Group ids are drawn at random when the groups are made, so no generator knows them: these
      // put them into generated filters, as an IdP looking for a group's members would.
      const groupId = fc.constantFrom(...seededGroupIds).chain((id) => fc.constantFrom(id, id.toUpperCase(), id.slice(0, 8)));
      const withGroupId = fc
        .tuple(
          userFilterText,
          fc.constantFrom("and", "or"),
          fc.constantFrom("groups.value", "groups", 'groups[type eq "direct" and value', "not (groups.value"),
          fc.constantFrom("eq", "ne", "sw", "gt"),
          groupId,
        )
        .map(([other, keyword, path, operator, id]) => {
          const closing = path.startsWith("groups[") ? "]" : path.startsWith("not") ? ")" : "";
          return `${other} ${keyword} ${path} ${operator} "${id}"${closing}`;
        });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 5, arbitrary: userFilterText },
            { weight: 1, arbitrary: garbledFilterText },
            { weight: 2, arbitrary: withGroupId },
            { weight: 2, arbitrary: extensionFilterText },
          ),
          async (text) => {
            const filter = resolvedOrRefused(text, userResourceType);
            if (filter === undefined) return;
            const predicate = createFilterPredicate(filter, userResourceType);
            const expected = resources
              .filter(({ resource }) => predicate(resource))
              .map(({ userName }) => userName)
              .sort();
            let page: Awaited<ReturnType<UserStore["list"]>>;
            try {
              page = await store.list(tenant, filter, 1, 1000);
            } catch (error) {
              if (error instanceof ScimError && error.status === 400) return;
              throw error;
            }
            compared += 1;
            assert.deepEqual(page.users.map((user) => user.userName).sort(), expected, text);
            assert.equal(page.totalResults, expected.length, text);
          },
        ),
        fuzzParameters(150, { timeout: 10_000 }),
      );
      assert.ok(compared > 0, "no generated filter reached the database");
    });
  });
}
