// A tenant's own extension schemas through the real gateway and directory, on every store: the
// shapes Okta and Entra send for custom attributes (the extension's object under its URN in POST
// and PUT; PATCH by a `urn:…:attr` path, by a path-less value holding the URN's object, and by
// Entra's dotted `urn:…:attr` keys), each result read back over SCIM, over gRPC (typed values in
// User.extensions) and in the change feed; a `server`-unique attribute under concurrent creates; a
// schema change between the gateway's cached view and a write; and filters and sorts on extension
// attributes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createDirectoryClient, SchemaAttributeType, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { acmeUserAttributes, acmeUserUrn, applyAcmeUser } from "./support/acme-extension.js";
import { eventsUntil } from "./support/change-events.js";
import { Product } from "./support/product.js";
import { assertScimError } from "./support/scim-checks.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimJson } from "./support/scim-client.js";

const okta = { "User-Agent": "Okta SCIM Client 1.0.0", "Content-Type": "application/json" };
/** A fully qualified extension attribute (RFC 7644 §3.10): how PATCH paths, filters and the change feed name it. */
const acme = (attribute: string) => `${acmeUserUrn}:${attribute}`;

for (const store of await storeKindsUnderTest()) {
  describe(`a tenant's extension schemas over SCIM on ${store}`, () => {
    let product: Product;
    let admin: DirectoryClient;

    /** A fresh tenant with its key: its key is verified (and its schema revision cached) at its first request. */
    async function tenant(name: string) {
      const key = await product.seedTenant(name);
      return { tenantId: await product.tenantIdOf(name), scim: scimClient(product.baseUrl, key) };
    }

    before(async () => {
      // A long key cache, so a verification (and the schema revision it carries) outlives each test:
      // the stale view of the schema-change test is then certain, not a matter of timing.
      product = await Product.start({ store, gatewayEnv: { API_KEY_CACHE_SECONDS: "600" } });
      admin = createDirectoryClient({
        address: product.directoryAddresses[0]!,
        serviceCredential: await product.issueServiceCredential("schema-extensions-e2e", "admin"),
      });
    });
    after(async () => {
      admin?.close();
      await product.stop();
    });

    test("Okta's create, PUT and PATCH of extension attributes with entitlements and roles, read back over SCIM, gRPC and the change feed", async () => {
      const name = "okta-extensions";
      const { tenantId, scim } = await tenant(name);
      await applyAcmeUser(admin, tenantId);
      await product.admin(["entitlements", "types", "add", name, "License", "--endpoint", "/Licenses"]);
      await product.admin(["entitlements", "types", "add", name, "Role", "--endpoint", "/Roles", "--kind", "role"]);
      await product.admin(["entitlements", "add", name, "License", "pro", "Pro"]);
      await product.admin(["entitlements", "add", name, "Role", "admin", "Administrator"]);

      const userName = randomUserName("okta-ext");
      // Okta puts a custom attribute mapped with the extension's URN as its external namespace
      // under that URN, and lists the URN in `schemas`.
      const created = await scim.post(
        "/Users",
        {
          schemas: [userSchemaUrn, acmeUserUrn],
          userName,
          name: { givenName: "Ada", familyName: "Lovelace" },
          emails: [{ primary: true, value: userName, type: "work" }],
          active: true,
          entitlements: [{ value: "pro", display: "Pro", type: "License" }],
          roles: [{ value: "admin", display: "Administrator" }],
          [acmeUserUrn]: { tier: "pro", seats: 5, badge: "B-100", startDate: "2026-03-01T09:00:00Z", beta: true },
        },
        { headers: okta },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      assert.deepEqual(created.body.schemas, [userSchemaUrn, acmeUserUrn]);
      const written = created.body[acmeUserUrn];
      assert.deepEqual(
        { ...written, startDate: Date.parse(written.startDate) },
        {
          tier: "pro",
          seats: 5,
          badge: "B-100",
          startDate: Date.parse("2026-03-01T09:00:00Z"),
          beta: true,
        },
      );
      assert.deepEqual((await scim.get(`/Users/${id}`)).body[acmeUserUrn], written);
      assert.deepEqual(created.body.entitlements, [{ value: "pro", display: "Pro", type: "License" }]);

      // Okta's update: GET, change, PUT the whole user.
      const current = (await scim.get(`/Users/${id}`, { headers: okta })).body;
      const replaced = await scim.put(
        `/Users/${id}`,
        { ...current, [acmeUserUrn]: { ...current[acmeUserUrn], tier: "enterprise", seats: 7 } },
        { headers: okta },
      );
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.equal(replaced.body[acmeUserUrn].tier, "enterprise");

      const patch = (...Operations: ScimJson[]) => scim.patch(`/Users/${id}`, { schemas: [patchOpUrn], Operations });
      // A path naming the attribute fully qualified (RFC 7644 §3.5.2, Entra's attribute mappings).
      assert.equal((await patch({ op: "replace", path: acme("seats"), value: 9 })).status, 200);
      // Okta's path-less replace, the extension's object under its URN.
      assert.equal((await patch({ op: "replace", value: { [acmeUserUrn]: { beta: false } } })).status, 200);
      // Entra's folded form: one path-less replace with dotted, fully qualified keys.
      const folded = await patch({ op: "Replace", value: { [acme("tier")]: "free", displayName: "Ada L." } });
      assert.equal(folded.status, 200, JSON.stringify(folded.body));
      const read = (await scim.get(`/Users/${id}`)).body;
      assert.deepEqual(
        [read[acmeUserUrn].tier, read[acmeUserUrn].seats, read[acmeUserUrn].beta, read[acmeUserUrn].badge],
        ["free", 9, false, "B-100"],
      );
      // A value outside canonicalValues is refused, naming it; nothing changes.
      const refused = await patch({ op: "replace", path: acme("tier"), value: "platinum" });
      assertScimError(refused, 400, "invalidValue");
      assert.match(refused.body.detail, /platinum/);

      // Over gRPC: typed as the schema says (the integer a number, the boolean a boolean).
      const { user } = await admin.users.getUser({ tenantId, id });
      const extension = user?.extensions[acmeUserUrn];
      assert.equal(extension?.["seats"], 9);
      assert.equal(extension?.["beta"], false);
      assert.equal(extension?.["tier"], "free");
      assert.deepEqual(
        user?.entitlements.map((e) => e.value),
        ["pro"],
      );

      // In the change feed: each write names the extension attributes it changed, fully qualified.
      const events = (await eventsUntil(admin, tenantId, (event) => event.resourceId === id && event.version === 5n)).filter(
        (event) => event.resourceId === id,
      );
      assert.deepEqual(
        events.map((event) => event.version),
        [1n, 2n, 3n, 4n, 5n],
      );
      const changed = (version: bigint) => events.find((event) => event.version === version)?.changedAttributes ?? [];
      assert.ok(changed(2n).includes(acme("tier")) && changed(2n).includes(acme("seats")), changed(2n).join());
      assert.ok(!changed(2n).includes(acme("badge")));
      assert.ok(changed(3n).includes(acme("seats")), changed(3n).join());
      assert.ok(changed(4n).includes(acme("beta")), changed(4n).join());
      assert.ok(changed(5n).includes(acme("tier")) && changed(5n).includes("displayName"), changed(5n).join());
    });

    test("concurrent creates with one `server`-unique extension value: exactly one 201, the rest 409 uniqueness", async () => {
      const { tenantId, scim } = await tenant("unique-race");
      await applyAcmeUser(admin, tenantId);
      const attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          scim.post("/Users", {
            schemas: [userSchemaUrn, acmeUserUrn],
            userName: randomUserName(`race-${i}`),
            [acmeUserUrn]: { badge: "RACE-1" },
          }),
        ),
      );
      const statuses = attempts.map((response) => response.status).sort();
      assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
      for (const response of attempts.filter((r) => r.status === 409)) assertScimError(response, 409, "uniqueness");
      // Compared as the attribute's caseExact says (false): another spelling is the same badge.
      assertScimError(
        await scim.post("/Users", { schemas: [userSchemaUrn], userName: randomUserName("race-x"), [acmeUserUrn]: { badge: "race-1" } }),
        409,
        "uniqueness",
      );
      const holders = await scim.get(`/Users?filter=${encodeURIComponent(`${acme("badge")} eq "RACE-1"`)}`);
      assert.equal(holders.body.totalResults, 1);
    });

    test("an attribute added after the gateway cached the tenant's schema is stored, not dropped", async () => {
      const { tenantId, scim } = await tenant("schema-change");
      const [tier] = acmeUserAttributes;
      await applyAcmeUser(admin, tenantId, [tier!]);
      // The first request verifies the key: its cached verification now holds this revision.
      const first = await scim.post("/Users", {
        schemas: [userSchemaUrn, acmeUserUrn],
        userName: randomUserName("sc"),
        [acmeUserUrn]: { tier: "pro" },
      });
      assert.equal(first.status, 201);
      await applyAcmeUser(admin, tenantId, [
        tier!,
        { name: "region", type: SchemaAttributeType.STRING, description: "Where the user works" },
      ]);
      // At once, through the same gateway: it builds the write by the old schema, the directory
      // refuses it (SCHEMA_CHANGED), and the gateway rebuilds it from the body by the new one.
      const created = await scim.post("/Users", {
        schemas: [userSchemaUrn, acmeUserUrn],
        userName: randomUserName("sc"),
        [acmeUserUrn]: { tier: "free", region: "eu" },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body[acmeUserUrn], { tier: "free", region: "eu" });
      const { user } = await admin.users.getUser({ tenantId, id: created.body.id });
      assert.equal(user?.extensions[acmeUserUrn]?.["region"], "eu");
      // The same for a PUT of the first user.
      const replaced = await scim.put(`/Users/${first.body.id}`, { ...first.body, [acmeUserUrn]: { tier: "pro", region: "us" } });
      assert.equal(replaced.body[acmeUserUrn]?.region, "us");
      // And filters read by the new schema from now on (this gateway read it for the retry).
      const found = await scim.get(`/Users?filter=${encodeURIComponent(`${acme("region")} eq "eu"`)}`);
      assert.deepEqual(
        found.body.Resources.map((r: ScimJson) => r.id),
        [created.body.id],
      );
    });

    test("a tenant's first extension, registered after its key was verified (revision 0 cached), is stored at once", async () => {
      const { tenantId, scim } = await tenant("first-extension");
      assert.equal((await scim.get("/Users")).status, 200);
      await applyAcmeUser(admin, tenantId);
      const created = await scim.post("/Users", {
        schemas: [userSchemaUrn, acmeUserUrn],
        userName: randomUserName("first"),
        [acmeUserUrn]: { tier: "pro", seats: 2 },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body[acmeUserUrn], { tier: "pro", seats: 2 });
    });

    test("filters and sorts on extension attributes", async () => {
      const { tenantId, scim } = await tenant("extension-filters");
      await applyAcmeUser(admin, tenantId);
      const seed = async (userName: string, extension: ScimJson) => {
        const created = await scim.post("/Users", { schemas: [userSchemaUrn, acmeUserUrn], userName, [acmeUserUrn]: extension });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      };
      await seed("a", { tier: "free", seats: 1, startDate: "2025-01-01T00:00:00Z", beta: true });
      await seed("b", { tier: "pro", seats: 10, startDate: "2026-01-01T00:00:00Z", beta: false });
      await seed("c", { tier: "enterprise", seats: 5 });

      const filters: Array<[string, string[]]> = [
        [`${acme("tier")} eq "pro"`, ["b"]],
        // caseExact false (the default): compared ignoring case.
        [`${acme("tier")} eq "PRO"`, ["b"]],
        [`${acme("tier")} sw "e"`, ["c"]],
        [`${acme("seats")} gt 4`, ["b", "c"]],
        [`${acme("seats")} le 5 and ${acme("beta")} eq true`, ["a"]],
        [`${acme("beta")} eq false or ${acme("seats")} eq 5`, ["b", "c"]],
        [`${acme("startDate")} pr`, ["a", "b"]],
        [`${acme("startDate")} lt "2025-06-01T00:00:00Z"`, ["a"]],
        [`not (${acme("beta")} pr)`, ["c"]],
        // Attribute names and URNs are case-insensitive (RFC 7643 §2.1).
        [`${acmeUserUrn.toUpperCase()}:SEATS ge 10`, ["b"]],
      ];
      for (const [filter, expected] of filters) {
        const response = await scim.get(`/Users?filter=${encodeURIComponent(filter)}&sortBy=userName`);
        assert.equal(response.status, 200, `${filter}: ${JSON.stringify(response.body)}`);
        assert.deepEqual(
          response.body.Resources.map((r: ScimJson) => r.userName),
          expected,
          filter,
        );
      }
      // The same filter over POST /.search.
      const searched = await scim.post("/Users/.search", {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: `${acme("seats")} gt 4`,
        sortBy: acme("seats"),
      });
      assert.deepEqual(
        searched.body.Resources.map((r: ScimJson) => r.userName),
        ["c", "b"],
      );

      const sorts: Array<[string, string[]]> = [
        [`sortBy=${acme("seats")}`, ["a", "c", "b"]],
        [`sortBy=${acme("seats")}&sortOrder=descending`, ["b", "c", "a"]],
        [`sortBy=${acme("tier")}`, ["c", "a", "b"]],
      ];
      for (const [query, expected] of sorts) {
        const response = await scim.get(`/Users?${query}`);
        assert.deepEqual(
          response.body.Resources.map((r: ScimJson) => r.userName),
          expected,
          query,
        );
      }
      // An attribute the extension does not declare is an invalid filter, as for core attributes.
      assertScimError(await scim.get(`/Users?filter=${encodeURIComponent(`${acme("nickname")} eq "x"`)}`), 400, "invalidFilter");
    });
  });
}
