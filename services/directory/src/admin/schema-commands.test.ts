// `scimgw-admin schemas` as an operator runs it (the real CLI, documents in files), on every store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { createTenantStore } from "../tenants/tenant-store.js";
import { runAdmin } from "../test-support/run-admin.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";

const urn = "urn:acme:scim:schemas:2.0:User";
const document = (attributes: unknown[]) => ({ id: urn, name: "AcmeUser", description: "Acme's attributes", attributes });
const region = { name: "region", type: "string", multiValued: false, canonicalValues: ["eu", "us"] };
const level = { name: "level", type: "integer", multiValued: false };

for (const store of storesUnderTest)
  test(`${store.name}: schemas add (and --dry-run), list and show; refusals exit 2 with every reason`, async () => {
    const database = await store.open();
    const folder = mkdtempSync(path.join(tmpdir(), "scimgw-schemas-"));
    const file = (name: string, content: unknown) => {
      const at = path.join(folder, name);
      writeFileSync(at, typeof content === "string" ? content : JSON.stringify(content));
      return at;
    };
    try {
      await createTenantStore(database.db).create("acme");
      const added = await runAdmin(database, ["schemas", "add", "acme", file("v1.json", document([region]))]);
      assert.equal(added.code, 0, added.stderr);
      assert.equal(
        added.stdout,
        `Registered User extension "${urn}" in tenant "acme".\n  registered extension "${urn}" of User\n  added attribute "region"\nSchema revision 1.\n`,
      );

      const dryRun = await runAdmin(database, [
        "schemas",
        "add",
        "acme",
        file("v2.json", document([region, level])),
        "--dry-run",
        "--json",
      ]);
      assert.equal(dryRun.code, 0, dryRun.stderr);
      assert.deepEqual(JSON.parse(dryRun.stdout), {
        id: urn,
        resourceType: "User",
        created: false,
        changes: ['added attribute "level"'],
        schemaRevision: 2,
        dryRun: true,
      });
      const listed = JSON.parse((await runAdmin(database, ["schemas", "list", "acme", "--json"])).stdout) as {
        schemaRevision: number;
        extensions: { id: string; attributes: number }[];
      };
      assert.equal(listed.schemaRevision, 1, "the dry run stored nothing");
      assert.deepEqual(
        listed.extensions.map((e) => [e.id, e.attributes]),
        [[urn, 1]],
      );

      // What show prints is what add reads: applying it again changes nothing.
      const shown = await runAdmin(database, ["schemas", "show", "acme", urn.toUpperCase()]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(
        (JSON.parse(shown.stdout) as { attributes: { name: string; canonicalValues: string[] }[] }).attributes[0]?.canonicalValues,
        ["eu", "us"],
      );
      const again = await runAdmin(database, ["schemas", "add", "acme", file("shown.json", shown.stdout)]);
      assert.equal(again.stdout, `Unchanged: User extension "${urn}" in tenant "acme".\n`);

      const tenantId = (await createTenantStore(database.db).resolve("acme")).id;
      await createUserStore(database.db).create(
        tenantId,
        create(UserSchema, { userName: "bjensen", extensions: { [urn]: { region: "eu" } } }),
      );
      const refused = await runAdmin(database, [
        "schemas",
        "add",
        "acme",
        file("v3.json", document([{ ...region, type: "integer", canonicalValues: undefined }])),
        "--resource-type",
        "Group",
      ]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /the extension extends User and cannot move to Group/);
      assert.match(refused.stderr, /attribute "region" holds values, so its type cannot change from string to integer/);

      const invalid = await runAdmin(database, ["schemas", "add", "acme", file("bad.json", document([{ name: "1st", type: "text" }]))]);
      assert.equal(invalid.code, 2);
      assert.match(invalid.stderr, /bad\.json is not a valid extension schema:\n {2}attribute "1st" multiValued: required but missing\n/);
      assert.match(invalid.stderr, /\n {2}attribute "1st" type: "text" is not one of string, boolean/);
      const notJson = await runAdmin(database, ["schemas", "add", "acme", file("broken.json", "{")]);
      assert.equal(notJson.code, 2);
      assert.match(notJson.stderr, /broken\.json is not JSON/);
      const unknown = await runAdmin(database, ["schemas", "show", "acme", "urn:acme:none"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /schema extension "urn:acme:none" not found/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await database.dispose();
    }
  });
