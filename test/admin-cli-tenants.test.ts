// Tenant administration as an admin types it: names that cannot be confused with ids or each other.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { scimClient } from "./support/scim-client.js";

for (const store of await storeKindsUnderTest())
  describe(`admin CLI tenants on ${store}`, () => {
    let product: Product;
    before(async () => {
      product = await Product.start({ store });
    });
    after(() => product.stop());

    test("tenants create refuses an empty, id-shaped, duplicate, overlong or control-character name in one line, exit 2", async () => {
      const defaultId = await product.tenantIdOf("default");
      for (const [name, why] of [
        ["", /^scimgw-admin: a tenant name must not be empty\n$/],
        ["   ", /^scimgw-admin: a tenant name must not be empty\n$/],
        [defaultId, /^scimgw-admin: a tenant name must not look like a tenant id: "[0-9a-f-]{36}"\n$/],
        ["default", /^scimgw-admin: a tenant named "default" already exists\n$/],
        [" default ", /^scimgw-admin: a tenant named "default" already exists\n$/],
        ["x".repeat(201), /^scimgw-admin: a tenant name must be at most 200 characters, not 201\n$/],
        ["red\u001b[31m", /^scimgw-admin: a tenant name must not contain control characters\n$/],
      ] as const) {
        const { code, stderr } = await product.adminFailure(["tenants", "create", name]);
        assert.equal(code, 2, name);
        assert.match(stderr, why);
      }
      const names = (JSON.parse(await product.admin(["tenants", "list", "--json"])) as Array<{ name: string }>).map(
        (tenant) => tenant.name,
      );
      assert.deepEqual(names, ["default"], "nothing was created");
    });

    test("tenants create keeps a name trimmed of surrounding whitespace, as later commands name it", async () => {
      const created = JSON.parse(await product.admin(["tenants", "create", "  Trimmed Corp ", "--json"])) as { tenant: { name: string } };
      assert.equal(created.tenant.name, "Trimmed Corp");
      assert.match(await product.admin(["keys", "list", "Trimmed Corp"]), /first key/);
    });

    test("tenants rename keeps the id and keys, and refuses a name create would refuse", async () => {
      const key = await product.createTenant("renamed-from");
      const id = await product.tenantIdOf("renamed-from");
      const renamed = JSON.parse(await product.admin(["tenants", "rename", "renamed-from", " renamed-to ", "--json"])) as Record<
        string,
        unknown
      >;
      assert.deepEqual(renamed, { ...renamed, id, name: "renamed-to" });
      assert.equal(await product.tenantIdOf("renamed-to"), id);
      assert.equal((await scimClient(product.baseUrl, key).get("/Users?count=0")).status, 200, "its key still works");
      assert.match(
        await product.admin(["tenants", "rename", id, "renamed-again"]),
        /^Renamed tenant "renamed-to" to "renamed-again" \(id /,
      );

      for (const [name, why] of [
        ["default", /^scimgw-admin: a tenant named "default" already exists\n$/],
        ["", /^scimgw-admin: a tenant name must not be empty\n$/],
        [id, /^scimgw-admin: a tenant name must not look like a tenant id/],
      ] as const) {
        const { code, stderr } = await product.adminFailure(["tenants", "rename", "renamed-again", name]);
        assert.equal(code, 2, name);
        assert.match(stderr, why);
      }
      assert.deepEqual(await product.adminFailure(["tenants", "rename", "nowhere", "x"]), {
        code: 2,
        stderr: 'scimgw-admin: tenant "nowhere" not found\n',
      });
      assert.equal(await product.tenantIdOf("renamed-again"), id);
    });
  });
