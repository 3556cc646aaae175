import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { openDatabase } from "../database/open-database.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { runAdmin as runAdminOn } from "../test-support/run-admin.js";
import { createUserStore } from "../users/user-store.js";

/** Runs the admin CLI as an operator would, configured for the given source database. */
const runAdmin = (args: string[], sourceFilename: string) => runAdminOn({ location: { kind: "sqlite", filename: sourceFilename } }, args);

let source: TemporaryDatabase;
let sourceFilename = "";

before(async () => {
  source = await storesUnderTest.find((store) => store.name === "sqlite")!.open();
  if (source.location.kind === "sqlite") sourceFilename = source.location.filename;
  const tenant = await createTenantStore(source.db).create("acme");
  await createApiKeyStore(source.db).issue(tenant.id, "Okta");
  for (const userName of ["ada@example.com", "zoë@example.com"])
    await createUserStore(source.db).create(tenant.id, create(UserSchema, { userName }));
});
after(() => source.dispose());

test("copy-store --to sqlite:<file> copies, verifies, says how to switch, and refuses to copy into the file again", async () => {
  const targetFilename = path.join(path.dirname(sourceFilename), "copy", "directory.sqlite");
  const first = await runAdmin(["copy-store", "--to", `sqlite:${targetFilename}`], sourceFilename);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /users: 2 of 2 rows/);
  assert.match(first.stdout, /verified: counts and digests match/);
  assert.ok(first.stdout.includes(`DATABASE_URL=sqlite:${targetFilename}\n`), first.stdout);

  const again = await runAdmin(["copy-store", "--to", `sqlite:${targetFilename}`], sourceFilename);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /^scimgw-admin: the target database is not empty/);
});

test("copy-store --json prints only the verified counts, as JSON", async () => {
  const targetFilename = path.join(path.dirname(sourceFilename), "json-copy", "directory.sqlite");
  const run = await runAdmin(["copy-store", "--to", `sqlite:${targetFilename}`, "--json"], sourceFilename);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    source: string;
    target: string;
    tables: Array<{ table: string; copied: number; sourceRows: number; targetRows: number; digest: string }>;
  };
  assert.ok(report.target.includes(targetFilename), report.target);
  const users = report.tables.find((table) => table.table === "users");
  assert.deepEqual(users && { copied: users.copied, sourceRows: users.sourceRows, targetRows: users.targetRows }, {
    copied: 2,
    sourceRows: 2,
    targetRows: 2,
  });
});

// PostgreSQL when it is under test, as in every suite here (see @scimgw/test-stores).
if (storesUnderTest.some((store) => store.name === "postgres"))
  test("copy-store --to postgres://… --to-schema fills that schema and names it in the next steps", async () => {
    const schema = uniqueSchemaName("copy_store_cli");
    const target = openDatabase({ kind: "postgres", url: testPostgresUrl, schema, poolMax: 2, statementTimeoutMs: 30_000 });
    try {
      const run = await runAdmin(["copy-store", "--to", testPostgresUrl, "--to-schema", schema], sourceFilename);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.stdout.includes(`DATABASE_SCHEMA=${schema}\n`), run.stdout);
      assert.equal((await createTenantStore(target).list())[0]?.name, "acme");
    } finally {
      await target.raw("drop schema if exists ?? cascade", [schema]);
      await target.destroy();
    }
  });

test("copy-store rejects a --to that is neither sqlite: nor postgres://", async () => {
  const run = await runAdmin(["copy-store", "--to", "mysql://db/scim"], sourceFilename);
  // A usage error, like every other one: exit code 2.
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--to <url>' argument 'mysql:\/\/db\/scim' is invalid\. must be sqlite:/);
});
