// A tenant's Group extension attributes (and `schemas`) filter and sort from the group's search document exactly as
// the SCIM core's in-memory evaluator reads them, on every store: each filter below runs both ways
// over the same groups. Also: cursor paging refuses a sort it cannot seek on, and migration 0026's
// backfill gives existing groups the document.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type JsonObject } from "@bufbuild/protobuf";
import { GroupSchema, type Group } from "@scimgw/proto";
import { Code, RpcError } from "@scimgw/grpc";
import { matchesFilter, parseFilter, resolveFilter, type ResourceTypeDefinition } from "@scimgw/scim";
import { groupFromProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { backfillGroupSearch } from "../database/migrations/0026-add-group-search.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { acmeGroup, acmeGroupExtension } from "../test-support/acme-extension.js";
import { registerExtension } from "../test-support/register-extension.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { groupKeyset } from "./compile-group-filter.js";
import { createGroupStore, type GroupStore } from "./group-store.js";

/** The seeded groups: display name, then the extension's values (none for "Bare"). */
const groups: Array<[string, JsonObject | undefined]> = [
  [
    "Finance",
    {
      costCentre: "CC-Fin",
      code: "A1",
      size: 10,
      budget: 0.5,
      audited: true,
      reviewedAt: "2020-01-01T00:00:00.1234567Z",
      regions: ["eu", "US"],
      owner: { email: "X@acme.io", kind: "Work" },
      sites: [{ value: "Berlin" }, { value: "Austin", primary: true }],
    },
  ],
  [
    "Straße Ops",
    {
      costCentre: "cc-straße",
      code: "a1",
      size: 2,
      reviewedAt: "2020-01-01T00:00:00.1234568+00:00",
      regions: ["us"],
      owner: { email: "straße@acme.io", kind: "work" },
      sites: [{ value: "munich" }],
    },
  ],
  ["Odd 50%", { costCentre: "odd_50%", size: 10, budget: 2.25, audited: false, reviewedAt: "2019-12-31T23:00:00-02:00" }],
  ["Bare", undefined],
];

const a = (path: string) => `${acmeGroup}:${path}`;

const filters = [
  `${a("costCentre")} eq "cc-fin"`,
  `${a("costCentre")} eq "CC-STRASSE"`,
  `${a("costCentre")} ne "cc-fin"`,
  `${a("costCentre")} co "50%"`,
  `${a("costCentre")} co "_"`,
  `${a("costCentre")} sw "CC"`,
  `${a("costCentre")} ew "FIN"`,
  `${a("costCentre")} gt "cc-g"`,
  `${a("costCentre")} le "cc-fin"`,
  `${a("costCentre")} pr`,
  `not (${a("costCentre")} pr)`,
  `${a("costCentre")} eq null`,
  `${a("code")} eq "A1"`,
  `${a("code")} eq "a1"`,
  `${a("code")} sw "a"`,
  `${a("code")} gt "B"`,
  `${a("code")} ne "A1"`,
  `${a("size")} gt 5`,
  `${a("size")} ge 10`,
  `${a("size")} lt 10`,
  `${a("size")} le 2`,
  `${a("size")} eq 2`,
  `${a("size")} ne 10`,
  `${a("budget")} lt 1`,
  `${a("budget")} ge 2.25`,
  `${a("audited")} eq true`,
  `${a("audited")} eq false`,
  `${a("audited")} ne true`,
  `${a("audited")} pr`,
  `${a("reviewedAt")} gt "2020-01-01T00:00:00.1234567Z"`,
  `${a("reviewedAt")} le "2020-01-01T01:00:00.1234567+01:00"`,
  `${a("reviewedAt")} eq "2020-01-01T01:00:00+02:00"`,
  `${a("reviewedAt")} lt "2020-01-01T00:00:00Z"`,
  `${a("regions")} eq "us"`,
  `${a("regions")} ne "eu"`,
  `${a("regions")} co "U"`,
  `${a("regions")} pr`,
  `not (${a("regions")} pr)`,
  `${a("owner.kind")} eq "work"`,
  `${a("owner.kind")} eq "Work"`,
  `${a("owner.email")} eq "STRASSE@acme.io"`,
  `${a("owner.email")} ew "@ACME.IO"`,
  `${a("owner")}[kind eq "Work" and email co "x@"]`,
  `${a("owner")}[not (kind eq "work")]`,
  `${a("owner")} pr`,
  `${a("sites.value")} eq "BERLIN"`,
  `${a("sites")} sw "m"`,
  `${a("sites")}[value eq "austin" and primary eq true]`,
  `${a("sites")}[not (primary pr)]`,
  `${a("sites.primary")} eq true`,
  `${a("costCentre")} eq "cc-fin" or ${a("size")} lt 5`,
  `${a("size")} eq 10 and not (${a("audited")} eq true)`,
  `displayName sw "f" and ${a("regions")} eq "EU"`,
  `not (${a("code")} eq "a1" or ${a("budget")} pr)`,
  // `schemas` lists the extension's URN only on groups carrying it; URNs compare ignoring case.
  `schemas eq "${acmeGroup}"`,
  `schemas eq "${acmeGroup.toUpperCase()}"`,
  `schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group" and not (schemas eq "${acmeGroup}")`,
  `schemas ne "${acmeGroup}"`,
  `schemas sw "urn:ietf:params:scim:schemas:core"`,
  `schemas co ":2.0:group"`,
  `schemas pr`,
  `schemas eq "${acmeGroup}" and ${a("size")} eq 10`,
];

/** Whether a call failed with this gRPC status. */
function failsWith(code: Code, detail: RegExp) {
  return (thrown: unknown) => {
    assert.ok(thrown instanceof RpcError, String(thrown));
    assert.equal(Code[thrown.code], Code[code], thrown.message);
    assert.match(thrown.message, detail);
    return true;
  };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`group extension attributes as SQL agree with the SCIM core on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let store: GroupStore;
    let tenant = "";
    let groupType: ResourceTypeDefinition;
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      store = createGroupStore(db);
      tenant = (await createTenantStore(db).create("group-filters")).id;
      const noise = (await createTenantStore(db).create("noise")).id;
      for (const tenantId of [tenant, noise]) {
        await registerExtension(db, tenantId, acmeGroupExtension);
        // Another tenant's twins must never match.
        for (const [displayName, values] of groups) {
          await store.create(
            tenantId,
            create(GroupSchema, { displayName, extensions: values === undefined ? {} : { [acmeGroup]: values } }),
          );
        }
      }
      groupType = (await store.schemas.get(tenant)).group;
    });
    after(() => dispose());

    const all = async (): Promise<Group[]> => (await store.list(tenant, undefined, 1, 1000)).groups;
    const names = (listed: Group[]) => listed.map((group) => group.displayName);

    for (const text of filters) {
      test(text, async () => {
        const filter = resolveFilter(parseFilter(text), groupType);
        const expected = names((await all()).filter((group) => matchesFilter(groupFromProto(group), filter, groupType))).sort();
        const page = await store.list(tenant, filter, 1, 1000);
        assert.deepEqual(names(page.groups).sort(), expected);
        assert.equal(page.totalResults, expected.length);
      });
    }

    test("the filters above are not all trivial: most select some groups but not all", async () => {
      let selective = 0;
      for (const text of filters) {
        const count = (await store.list(tenant, resolveFilter(parseFilter(text), groupType), 1, 0)).totalResults;
        if (count > 0 && count < groups.length) selective++;
      }
      assert.ok(selective >= filters.length * 0.8, `only ${selective} of ${filters.length} filters are selective`);
    });

    test("schemas eq the extension's URN finds the groups carrying it, not those without its values", async () => {
      const page = await store.list(tenant, resolveFilter(parseFilter(`schemas eq "${acmeGroup}"`), groupType), 1, 10);
      assert.deepEqual(names(page.groups).sort(), ["Finance", "Odd 50%", "Straße Ops"]);
    });

    test("sortBy an extension attribute orders by its declaration: folded where caseExact is false, typed, unassigned last", async () => {
      const order = async (attribute: string, direction: "ascending" | "descending" = "ascending") =>
        names((await store.list(tenant, undefined, 1, 10, { by: { schema: acmeGroup, attribute }, order: direction })).groups);
      // Folded: "cc-fin" < "cc-strasse" < "odd_50%".
      assert.deepEqual(await order("costCentre"), ["Finance", "Straße Ops", "Odd 50%", "Bare"]);
      assert.deepEqual(await order("costCentre", "descending"), ["Bare", "Odd 50%", "Straße Ops", "Finance"]);
      // caseExact: "A1" before "a1" by code point; Odd 50% and Bare have none.
      assert.deepEqual(await order("code"), ["Finance", "Straße Ops", "Odd 50%", "Bare"]);
      // Numbers as numbers (10 after 2), ties in creation order.
      assert.deepEqual(await order("size"), ["Straße Ops", "Finance", "Odd 50%", "Bare"]);
      assert.deepEqual(await order("budget", "descending"), ["Straße Ops", "Bare", "Odd 50%", "Finance"]);
      assert.deepEqual(await order("audited"), ["Odd 50%", "Finance", "Straße Ops", "Bare"]);
      // Instants, not text: 2019-12-31T23:00-02:00 is 2020-01-01T01:00Z, after the other two.
      assert.deepEqual(await order("reviewedAt"), ["Finance", "Straße Ops", "Odd 50%", "Bare"]);
      // Multi-valued: by the primary value (Austin), else the first.
      assert.deepEqual(await order("sites"), ["Finance", "Straße Ops", "Odd 50%", "Bare"]);
      assert.deepEqual(await order("regions"), ["Finance", "Straße Ops", "Odd 50%", "Bare"]);
    });

    test("a startIndex walk sorted by an extension attribute pages by OFFSET and sees every group once", async () => {
      const sort = { by: { schema: acmeGroup, attribute: "size" }, order: "descending" as const };
      const whole = names((await store.list(tenant, undefined, 1, 10, sort)).groups);
      const walked = [];
      for (let startIndex = 1; startIndex <= groups.length; startIndex += 2) {
        const page = await store.list(tenant, undefined, startIndex, 2, sort);
        assert.equal(page.totalResults, groups.length);
        walked.push(...names(page.groups));
      }
      assert.deepEqual(walked, whole);
      assert.deepEqual(whole, ["Bare", "Finance", "Odd 50%", "Straße Ops"]);
    });

    test("cursor paging refuses a sort by an extension attribute, saying what it can sort by", () => {
      assert.throws(
        () => groupKeyset({ by: { schema: acmeGroup, attribute: "size" }, order: "ascending" }, groupType),
        failsWith(Code.INVALID_ARGUMENT, /cursor paging cannot sort groups by .*size.*start_index/),
      );
      assert.equal(groupKeyset({ by: { attribute: "displayName" }, order: "ascending" }, groupType).length, 3);
    });

    test("a replaced group's search document follows its new values", async () => {
      const created = await store.create(
        tenant,
        create(GroupSchema, { displayName: "Temp", extensions: { [acmeGroup]: { costCentre: "Before" } } }),
      );
      const filterOf = (text: string) => resolveFilter(parseFilter(text), groupType);
      await store.replace(
        tenant,
        create(GroupSchema, { id: created.id, displayName: "Temp", extensions: { [acmeGroup]: { costCentre: "After" } } }),
      );
      assert.deepEqual(names((await store.list(tenant, filterOf(`${a("costCentre")} eq "after"`), 1, 10)).groups), ["Temp"]);
      assert.deepEqual(names((await store.list(tenant, filterOf(`${a("costCentre")} eq "before"`), 1, 10)).groups), []);
      await store.delete(tenant, created.id);
    });

    test("migration 0026's backfill gives groups written before it their search document, by their tenant's extension", async () => {
      const filter = resolveFilter(parseFilter(`${a("costCentre")} eq "cc-fin" and ${a("size")} eq 10`), groupType);
      const before = names((await store.list(tenant, filter, 1, 10)).groups);
      assert.deepEqual(before, ["Finance"]);
      // The state of every existing row once the column is added: its default, which holds nothing.
      await db("groups").update({ search: "{}" });
      assert.deepEqual(names((await store.list(tenant, filter, 1, 10)).groups), []);
      await backfillGroupSearch(db);
      assert.deepEqual(names((await store.list(tenant, filter, 1, 10)).groups), before);
      const stored: Array<{ search: string | object }> = await db("groups").where("tenant_id", tenant).select("search");
      for (const row of stored) assert.notDeepEqual(typeof row.search === "string" ? JSON.parse(row.search) : row.search, {});
    });
  });
}
