// What every admin command prints for a script: --version, and --json on each command that prints.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";

const directoryPackage = new URL("../services/directory/package.json", import.meta.url);

for (const store of await storeKindsUnderTest())
  describe(`admin CLI output on ${store}`, () => {
    let product: Product;
    before(async () => {
      product = await Product.start({ store });
    });
    after(() => product.stop());

    test("--version prints the directory package's version and exits 0", async () => {
      const { version } = JSON.parse(await readFile(directoryPackage, "utf8")) as { version: string };
      assert.equal(await product.admin(["--version"]), `${version}\n`);
      assert.equal(await product.admin(["-V"]), `${version}\n`);
    });

    test("a refusal is one line on stderr and exit code 2: an unknown tenant, an unknown option", async () => {
      assert.deepEqual(await product.adminFailure(["keys", "list", "nowhere"]), {
        code: 2,
        stderr: 'scimgw-admin: tenant "nowhere" not found\n',
      });
      const unknownOption = await product.adminFailure(["tenants", "list", "--colour"]);
      assert.equal(unknownOption.code, 2);
      assert.match(unknownOption.stderr, /^error: unknown option '--colour'/);
    });

    test("keys revoke --json prints the revoked key", async () => {
      const issued = JSON.parse(await product.admin(["keys", "issue", "default", "--label", "rotated", "--json"])) as { keyId: string };
      const revoked = JSON.parse(await product.admin(["keys", "revoke", "default", issued.keyId, "--json"])) as Record<string, unknown>;
      assert.deepEqual(Object.keys(revoked).sort(), ["createdAt", "id", "label", "lastUsedAt", "revokedAt", "tenantId"]);
      assert.equal(revoked.id, issued.keyId);
      assert.equal(revoked.label, "rotated");
      assert.equal(revoked.tenantId, await product.tenantIdOf("default"));
      assert.match(String(revoked.revokedAt), /^\d{4}-\d\d-\d\dT/);
    });

    test("credentials ensure --json says whether it kept or issued, never the secret; revoke --json prints the revoked credential", async () => {
      const file = path.join(product.dataDir, "billing.credential");
      const ensure = ["credentials", "ensure", "billing", "--scope", "read-only", "--tenant", "default", "--file", file, "--json"];
      const issued = JSON.parse(await product.admin(ensure)) as Record<string, unknown>;
      assert.deepEqual(issued, {
        name: "billing",
        scope: "read-only",
        tenants: [await product.tenantIdOf("default")],
        file,
        credential: "issued",
      });
      assert.equal((JSON.parse(await product.admin(ensure)) as { credential: string }).credential, "kept");

      const { id } = (JSON.parse(await product.admin(["credentials", "list", "--json"])) as Array<{ id: string; name: string }>).find(
        (credential) => credential.name === "billing",
      )!;
      const revoked = JSON.parse(await product.admin(["credentials", "revoke", id, "--json"])) as {
        id: string;
        name: string;
        revokedAt: string;
      };
      assert.equal(revoked.id, id);
      assert.equal(revoked.name, "billing");
      assert.match(revoked.revokedAt, /^\d{4}-\d\d-\d\dT/);
      assert.doesNotMatch(JSON.stringify(revoked), /scimgw_svc_/);
    });

    test("migrate --json says the schema is up to date and names its latest migration", async () => {
      const migrated = JSON.parse(await product.admin(["migrate", "--json"])) as { upToDate: boolean; latestMigration: string };
      assert.equal(migrated.upToDate, true);
      assert.match(migrated.latestMigration, /^\d{4}-[a-z-]+$/);
    });
  });
