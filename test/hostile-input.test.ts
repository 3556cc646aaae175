// Issue 11, "no tenant can hurt another": each class of hostile input, sent over real HTTP to the
// real processes on each store, is a 4xx naming the limit or rule (never a 500, never a 429 for a
// limit of ours), the same on SQLite and PostgreSQL, and leaves the tenant's users, groups and
// change feed as they were. Huge startIndex/count are not errors: they are clamped (RFC 7644
// §3.4.2.4), so they answer an empty page or a capped one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createDirectoryClient, type ChangeEvent, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { errorUrn, patchOpUrn, scimClient, userSchemaUrn, type ScimClient, type ScimResponse } from "./support/scim-client.js";
import { groupSchemaUrn } from "./support/group-checks.js";
import { searchRequestUrn } from "./support/scim-checks.js";

interface HostileCase {
  name: string;
  send(scim: ScimClient, ids: { user: string; group: string }): Promise<ScimResponse>;
  status: number;
  scimType?: string;
  /** What the detail must say (the limit or the rule), when there is a detail. */
  detail?: RegExp;
}

const user = (more: Record<string, unknown>) => ({ schemas: [userSchemaUrn], userName: "hostile@example.com", ...more });
/** A body with `"userName": "ada<escape>"` written as JSON text, so the escape reaches the server as sent. */
const rawUser = (sequence: string) => `{"schemas":["${userSchemaUrn}"],"userName":"ada${sequence}@example.com"}`;
const patch = (...operations: unknown[]) => ({ schemas: [patchOpUrn], Operations: operations });
const terms = (n: number, attribute = "userName") => Array.from({ length: n }, (_, i) => `${attribute} eq "u${i}"`).join(" or ");
const search = (body: Record<string, unknown>) => ({ schemas: [searchRequestUrn], ...body });

const cases: HostileCase[] = [
  {
    name: "PATCH with 8,000 add-emails operations",
    send: (scim, { user }) =>
      scim.patch(
        `/Users/${user}`,
        patch(...Array.from({ length: 8000 }, (_, i) => ({ op: "add", path: "emails", value: [{ value: `e${i}@example.com` }] }))),
      ),
    status: 400,
    scimType: "invalidValue",
    detail: /8000 operations; at most 1000/,
  },
  {
    name: "PATCH with 1,000 add-emails operations (within the cap, over the values limit)",
    send: (scim, { user }) =>
      scim.patch(
        `/Users/${user}`,
        patch(...Array.from({ length: 1000 }, (_, i) => ({ op: "add", path: "emails", value: [{ value: `e${i}@example.com` }] }))),
      ),
    status: 400,
    scimType: "invalidValue",
    detail: /emails has 201 values; at most 200/,
  },
  {
    name: "a body over MAX_BODY_SIZE (5 MB)",
    send: (scim) => scim.post("/Users", user({ displayName: "d".repeat(5_500_000) })),
    status: 413,
  },
  {
    name: "a 10,000-term filter in a SearchRequest",
    send: (scim) => scim.post("/Users/.search", search({ filter: terms(10_000) })),
    status: 400,
    scimType: "invalidFilter",
    detail: /more than 200 comparisons/,
  },
  {
    name: "a 201-term filter in the query",
    send: (scim) => scim.get(`/Users?filter=${encodeURIComponent(terms(201))}`),
    status: 400,
    scimType: "invalidFilter",
    detail: /more than 200 comparisons/,
  },
  {
    name: "a PATCH path filter of 20,000 terms",
    send: (scim, { user }) => scim.patch(`/Users/${user}`, patch({ op: "remove", path: `emails[${terms(20_000, "value")}]` })),
    status: 400,
    scimType: "invalidPath",
    detail: /more than 200 comparisons/,
  },
  {
    name: "a group PATCH naming 10,001 members",
    send: (scim, { group }) =>
      scim.patch(
        `/Groups/${group}`,
        patch({
          op: "add",
          path: "members",
          value: Array.from({ length: 10_001 }, (_, i) => ({ value: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` })),
        }),
      ),
    status: 400,
    scimType: "invalidValue",
    detail: /more than 10000 members/,
  },
  {
    name: "a userName of 1 MB",
    send: (scim) => scim.post("/Users", user({ userName: "u".repeat(1_000_000) })),
    status: 400,
    scimType: "invalidValue",
    detail: /userName is 1000000 characters long; at most 256/,
  },
  {
    name: "an externalId of 100 KB",
    send: (scim) => scim.post("/Users", user({ externalId: "x".repeat(100_000) })),
    status: 400,
    scimType: "invalidValue",
    detail: /externalId is 100000 characters long; at most 256/,
  },
  {
    name: "a displayName of 4.3 MB",
    send: (scim) => scim.post("/Users", user({ displayName: "d".repeat(4_300_000) })),
    status: 400,
    scimType: "invalidValue",
    detail: /displayName is 4300000 characters long; at most 256/,
  },
  {
    name: "a PATCH setting a displayName of 4.3 MB",
    send: (scim, { user }) => scim.patch(`/Users/${user}`, patch({ op: "replace", path: "displayName", value: "d".repeat(4_300_000) })),
    status: 400,
    scimType: "invalidValue",
    detail: /displayName is 4300000 characters long/,
  },
  {
    name: "a resource over 64 KiB",
    send: (scim) => scim.post("/Users", user({ roles: Array.from({ length: 20 }, (_, i) => ({ value: `${i}${"r".repeat(4000)}` })) })),
    status: 400,
    scimType: "invalidValue",
    detail: /at most 65536/,
  },
  ...(
    [
      ["a lone surrogate", "\\ud800", /not well-formed Unicode/],
      ["NUL", "\\u0000", /control character U\+0000/],
      ["CR", "\\r", /control character U\+000D/],
      ["LF", "\\n", /control character U\+000A/],
      ["a bidi override", "\\u202e", /invisible character U\+202E/],
      ["a bidi isolate", "\\u2066", /invisible character U\+2066/],
      ["a zero-width space", "\\u200b", /invisible character U\+200B/],
      ["a BOM", "\\ufeff", /invisible character U\+FEFF/],
    ] as const
  ).map(
    ([what, sequence, detail]): HostileCase => ({
      name: `a userName with ${what}`,
      send: (scim) => scim.post("/Users", rawUser(sequence)),
      status: 400,
      scimType: "invalidValue",
      detail,
    }),
  ),
  {
    name: "a PUT replacing the userName with one holding NUL",
    send: (scim, { user: id }) => scim.put(`/Users/${id}`, rawUser("\\u0000")),
    status: 400,
    scimType: "invalidValue",
    detail: /userName contains the control character U\+0000/,
  },
  {
    name: "a PATCH setting externalId with a zero-width joiner",
    send: (scim, { user }) => scim.patch(`/Users/${user}`, patch({ op: "replace", path: "externalId", value: "x\u200dy" })),
    status: 400,
    scimType: "invalidValue",
    detail: /externalId contains the invisible character U\+200D/,
  },
  {
    name: "a group displayName with a zero-width space",
    send: (scim) => scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Ad\u200bmins" }),
    status: 400,
    scimType: "invalidValue",
    detail: /displayName contains the invisible character U\+200B/,
  },
  {
    name: "a filter comparing with NUL",
    send: (scim) => scim.get(`/Users?filter=${encodeURIComponent('userName eq "ada\\u0000"')}`),
    status: 400,
    scimType: "invalidFilter",
    detail: /control character or a lone surrogate/,
  },
  {
    name: "a member id holding NUL",
    send: (scim, { group }) => scim.patch(`/Groups/${group}`, patch({ op: "add", path: "members", value: [{ value: "a\u0000" }] })),
    status: 400,
    scimType: "invalidValue",
    detail: /no user or group of this tenant has these ids/,
  },
  ...["/Users/%00", "/Groups/%00", `/Users/${"x".repeat(10_000)}`, "/Users/..%2F..%2Fetc"].flatMap((path): HostileCase[] => [
    { name: `GET ${path.slice(0, 24)}`, send: (scim) => scim.get(path), status: 404 },
    {
      name: `PATCH ${path.slice(0, 24)}`,
      send: (scim) => scim.patch(path, patch({ op: "replace", value: { active: false } })),
      status: 404,
    },
    { name: `DELETE ${path.slice(0, 24)}`, send: (scim) => scim.delete(path), status: 404 },
  ]),
  { name: "PUT /Users/%00", send: (scim) => scim.put("/Users/%00", user({})), status: 404 },
];

/** Paging parameters past any limit: clamped, so a page (empty past the end) with the true totalResults. */
const pagingCases: Array<{ name: string; send(scim: ScimClient): Promise<ScimResponse>; itemsPerPage: number }> = [
  { name: "startIndex=10^20", send: (scim) => scim.get("/Users?startIndex=99999999999999999999"), itemsPerPage: 0 },
  { name: "startIndex=2^63-1", send: (scim) => scim.get(`/Users?startIndex=${2n ** 63n - 1n}`), itemsPerPage: 0 },
  { name: "count=10^20", send: (scim) => scim.get("/Users?count=99999999999999999999"), itemsPerPage: 2 },
  { name: "SearchRequest startIndex 1e300", send: (scim) => scim.post("/Users/.search", search({ startIndex: 1e300 })), itemsPerPage: 0 },
  { name: "SearchRequest count 1e300", send: (scim) => scim.post("/Users/.search", search({ count: 1e300 })), itemsPerPage: 2 },
  { name: "root SearchRequest startIndex 1e300", send: (scim) => scim.post("/.search", search({ startIndex: 1e300 })), itemsPerPage: 0 },
  {
    name: "a 50-term or filter (a balanced tree for the directory)",
    send: (scim) => scim.get(`/Users?filter=${encodeURIComponent(`${terms(49)} or userName eq "ada@example.com"`)}`),
    itemsPerPage: 1,
  },
];

/** What each store answered, by case: "status scimType". */
const outcomes = new Map<string, Map<string, string>>();

/** The feed from the start up to the event about `resourceId`. */
async function feedUpTo(directory: DirectoryClient, tenantId: string, resourceId: string): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    for await (const event of directory.watchChanges(tenantId, { after: 0n, signal: controller.signal })) {
      events.push(event);
      if (event.resourceId === resourceId) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

const stores = await storeKindsUnderTest();
for (const store of stores)
  describe(`hostile input on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    let directory: DirectoryClient;
    let tenantId: string;
    const ids = { user: "", group: "" };
    let listing: unknown;
    let feed: ChangeEvent[];
    const answered = new Map<string, string>();
    outcomes.set(store, answered);

    /** Everything the tenant holds, as SCIM lists it. */
    const snapshot = async () => ({
      users: (await scim.get("/Users?count=1000&sortBy=id")).body,
      groups: (await scim.get("/Groups?count=1000&sortBy=id")).body,
    });

    before(async () => {
      product = await Product.start({ store });
      scim = scimClient(product.baseUrl, product.apiKey);
      tenantId = await product.tenantIdOf("default");
      directory = createDirectoryClient({
        address: product.directoryAddresses[0] as string,
        serviceCredential: await product.issueServiceCredential("hostile-input", "read-only"),
      });
      const created = await scim.post("/Users", {
        schemas: [userSchemaUrn],
        userName: "ada@example.com",
        emails: [{ value: "ada@example.com", primary: true }],
      });
      assert.equal(created.status, 201);
      ids.user = created.body.id;
      const group = await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Admins", members: [{ value: ids.user }] });
      assert.equal(group.status, 201);
      ids.group = group.body.id;
      // The setup's last write, so the feed up to it is all the setup wrote (a group with members writes more than one event).
      const marker = await scim.post("/Users", { schemas: [userSchemaUrn], userName: "setup-done@example.com" });
      assert.equal(marker.status, 201);
      listing = await snapshot();
      feed = await feedUpTo(directory, tenantId, marker.body.id);
    });
    after(async () => {
      directory?.close();
      await product?.stop();
    });

    for (const hostile of cases)
      test(`${hostile.name} -> ${hostile.status}${hostile.scimType ? ` ${hostile.scimType}` : ""}`, async () => {
        const response = await hostile.send(scim, ids);
        answered.set(hostile.name, `${response.status} ${response.body?.scimType ?? ""}`);
        assert.equal(response.status, hostile.status, JSON.stringify(response.body).slice(0, 500));
        assert.deepEqual(response.body.schemas, [errorUrn]);
        assert.equal(response.body.scimType, hostile.scimType);
        assert.ok(typeof response.body.detail === "string" && response.body.detail !== "");
        if (hostile.detail) assert.match(response.body.detail, hostile.detail);
      });

    for (const paging of pagingCases)
      test(`${paging.name} -> 200, ${paging.itemsPerPage} resources, the true totalResults`, async () => {
        const response = await paging.send(scim);
        answered.set(paging.name, `${response.status}`);
        assert.equal(response.status, 200, JSON.stringify(response.body).slice(0, 500));
        assert.equal(response.body.itemsPerPage, paging.itemsPerPage);
        assert.ok(response.body.totalResults >= 1);
      });

    test("the tenant's users, groups and change feed are as they were", async () => {
      assert.deepEqual(await snapshot(), listing);
      // A write now must be the feed's only event since the setup's last.
      const sentinel = await scim.post("/Users", { schemas: [userSchemaUrn], userName: "sentinel@example.com" });
      assert.equal(sentinel.status, 201);
      const after = await feedUpTo(directory, tenantId, sentinel.body.id);
      assert.deepEqual(
        after.slice(0, -1).map((event) => event.seq),
        feed.map((event) => event.seq),
      );
      assert.equal(after.length, feed.length + 1);
    });
  });

if (stores.length > 1)
  describe("the stores agree", () => {
    test("every case has the same status and scimType on each store", () => {
      const [first, ...others] = [...outcomes.values()];
      for (const other of others) assert.deepEqual(Object.fromEntries(other ?? []), Object.fromEntries(first ?? []));
    });
  });
