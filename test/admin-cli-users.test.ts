// Users as an admin checks them: one user with its groups, and lists read page by page from the store.
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { createTenantStore, openDatabase, userContent, type UserRow } from "@scimgw/directory";
import { UserSchema } from "@scimgw/proto";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { groupSchemaUrn } from "./support/group-checks.js";
import { Product } from "./support/product.js";
import { randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

interface UserJson {
  id: string;
  userName: string;
  active: boolean;
  created: string;
  lastModified: string;
  groups: Array<{ value: string; display: string; type: string }>;
}

/** More users than one page of the CLI's reads (1000), written straight to the table. */
const seededUsers = 1205;

async function seedUsers(product: Product, tenantId: string): Promise<void> {
  const db = openDatabase(product.databaseLocation);
  try {
    const now = new Date().toISOString();
    const rows: UserRow[] = Array.from({ length: seededUsers }, (_, i) => ({
      tenant_id: tenantId,
      id: randomUUID(),
      ...userContent(create(UserSchema, { userName: `seeded${String(i).padStart(5, "0")}@example.com` })),
      password_hash: null,
      version: 1,
      created_at: now,
      last_modified: now,
    }));
    await db.batchInsert("users", rows, 250);
    // Rows written around the store: the tenant's kept counts are recounted from them.
    await createTenantStore(db).recountResources(tenantId);
  } finally {
    await db.destroy();
  }
}

for (const store of await storeKindsUnderTest())
  describe(`admin CLI users on ${store}`, () => {
    let product: Product;
    let userName = "";
    let userId = "";
    let outerId = "";
    before(async () => {
      product = await Product.start({ store });
      const scim = scimClient(product.baseUrl, product.apiKey);
      userName = randomUserName("shown");
      userId = (
        await scim.post("/Users", {
          schemas: [userSchemaUrn],
          userName,
          name: { givenName: "Grace", familyName: "Hopper" },
          emails: [{ value: userName, type: "work", primary: true }],
        })
      ).body.id;
      const inner = await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Compilers", members: [{ value: userId }] });
      outerId = (await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Navy", members: [{ value: inner.body.id }] })).body
        .id;
      await product.admin(["tenants", "create", "big"]);
      await seedUsers(product, await product.tenantIdOf("big"));
    });
    after(() => product.stop());

    test("users show finds a user by id or userName and names its direct and nested groups", async () => {
      const shown = JSON.parse(await product.admin(["users", "show", "default", userName.toUpperCase(), "--json"])) as UserJson & {
        emails: Array<{ value: string; type: string | null; primary: boolean }>;
      };
      assert.equal(shown.id, userId);
      assert.deepEqual(shown.emails, [{ value: userName, type: "work", primary: true }]);
      assert.deepEqual(
        shown.groups.map((group) => [group.display, group.type]),
        [
          ["Compilers", "direct"],
          ["Navy", "indirect"],
        ],
      );
      assert.equal(shown.groups[1]?.value, outerId);
      assert.match(shown.created, /^\d{4}-\d\d-\d\dT.*Z$/);

      const table = await product.admin(["users", "show", "default", userId]);
      assert.match(table, /Grace Hopper/);
      assert.match(table, /Compilers\s*│\s*direct/);
      assert.match(table, /Navy\s*│\s*indirect/);

      assert.deepEqual(await product.adminFailure(["users", "show", "default", "nobody@example.com"]), {
        code: 2,
        stderr: 'scimgw-admin: user "nobody@example.com" not found\n',
      });
    });

    test("users list --json carries created, lastModified and groups", async () => {
      const listed = JSON.parse(await product.admin(["users", "list", "default", "--json"])) as UserJson[];
      const user = listed.find((candidate) => candidate.id === userId);
      assert.deepEqual(
        user?.groups.map((group) => group.display),
        ["Compilers", "Navy"],
      );
      assert.match(user?.lastModified ?? "", /^\d{4}-\d\d-\d\dT.*Z$/);
    });

    test("users list reads past one page of the store, and --limit stops it", async () => {
      const all = JSON.parse(await product.admin(["users", "list", "big", "--json"])) as UserJson[];
      assert.equal(all.length, seededUsers);
      assert.equal(new Set(all.map((user) => user.id)).size, seededUsers, "no user twice across pages");

      const limited = JSON.parse(await product.admin(["users", "list", "big", "--json", "--limit", "1100"])) as UserJson[];
      assert.deepEqual(
        limited.map((user) => user.id),
        all.slice(0, 1100).map((user) => user.id),
      );
      assert.match(await product.admin(["users", "list", "big", "--limit", "3"]), /3 user\(s\) shown \(--limit reached\) in tenant "big"/);
      assert.match(await product.admin(["users", "list", "big"]), new RegExp(`\\n${seededUsers} user\\(s\\) in tenant "big"`));
      assert.equal(await product.admin(["users", "list", "big", "--json", "--filter", 'userName eq "none"']), "[]\n");
    });
  });
