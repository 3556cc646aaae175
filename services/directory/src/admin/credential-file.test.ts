// `credentials ensure` and `bootstrap --gateway-credential-file`: the file a local service reads
// its credential from is created owner-only, reused while it is live, and replaced cleanly.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { hashSecret } from "../secrets/secret.js";
import { bootstrap } from "./bootstrap-command.js";
import { ensureCredential } from "./credential-commands.js";

const modeOf = (file: string) => statSync(file).mode & 0o777;

for (const storeUnderTest of storesUnderTest) {
  describe(`credential files on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let folder = "";
    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      folder = mkdtempSync(path.join(tmpdir(), "scimgw-credential-file-"));
    });
    after(async () => {
      await dispose();
      rmSync(folder, { recursive: true, force: true });
    });

    test("created owner-only in a folder that did not exist, kept while live, its mode repaired", async () => {
      const context = { db, out: { write: () => undefined } };
      const file = path.join(folder, "not", "yet", "gateway.credential");
      assert.equal((await bootstrap(context, "default", { gatewayCredentialFile: file })).gatewayCredential, "issued");
      assert.equal(modeOf(file), 0o600);
      const secret = readFileSync(file, "utf8");
      chmodSync(file, 0o644);
      assert.equal((await bootstrap(context, "default", { gatewayCredentialFile: file })).gatewayCredential, "kept");
      assert.equal(readFileSync(file, "utf8"), secret);
      assert.equal(modeOf(file), 0o600);
      assert.equal(
        (await createServiceCredentialStore(db).list()).filter((c) => c.revokedAt === null).length,
        1,
        "one live credential, not one per start",
      );
    });

    test("bootstrap --console-credential-file issues the console's admin, all-tenants credential once, beside the gateway's", async () => {
      const context = { db, out: { write: () => undefined } };
      const credentials = createServiceCredentialStore(db);
      const gatewayFile = path.join(folder, "beside", "gateway.credential");
      const consoleFile = path.join(folder, "beside", "console.credential");
      const first = await bootstrap(context, "default", { gatewayCredentialFile: gatewayFile, consoleCredentialFile: consoleFile });
      assert.deepEqual([first.gatewayCredential, first.consoleCredential], ["issued", "issued"]);
      assert.equal(modeOf(consoleFile), 0o600);
      const secret = readFileSync(consoleFile, "utf8").trim();
      assert.match(secret, /^scimgw_svc_/);
      const held = await credentials.verify(hashSecret(secret));
      assert.deepEqual([held?.name, held?.scope, held?.tenants], ["console", "admin", "all"]);
      assert.notEqual(readFileSync(gatewayFile, "utf8").trim(), secret, "the gateway has a credential of its own");
      assert.equal((await credentials.verify(hashSecret(readFileSync(gatewayFile, "utf8").trim())))?.scope, "read-write");

      const again = await bootstrap(context, "default", { gatewayCredentialFile: gatewayFile, consoleCredentialFile: consoleFile });
      assert.equal(again.consoleCredential, "kept");
      assert.equal(readFileSync(consoleFile, "utf8").trim(), secret);
      assert.equal(
        (await credentials.list()).filter((c) => c.name === "console" && c.revokedAt === null).length,
        1,
        "one live console credential, not one per start",
      );
      assert.equal((await bootstrap(context, "default")).consoleCredential, undefined, "nothing without the option");
    });

    test("a file holding the wrong scope is replaced and its credential revoked; a stale .tmp does not widen the mode", async () => {
      const context = { db, out: { write: () => undefined } };
      const credentials = createServiceCredentialStore(db);
      const file = path.join(folder, "consumer.credential");
      const readOnly = await credentials.issue("consumer", "read-only", "all");
      writeFileSync(file, `${readOnly.secret}\n`);
      writeFileSync(`${file}.tmp`, "left over", { mode: 0o644 });
      await ensureCredential(context, "consumer", { scope: "read-write", tenants: "all", file });
      assert.equal(modeOf(file), 0o600);
      assert.notEqual(readFileSync(file, "utf8"), `${readOnly.secret}\n`);
      const listed = await credentials.list();
      assert.notEqual(listed.find((c) => c.id === readOnly.info.id)?.revokedAt, null, "the replaced credential is revoked");
    });

    test("a file that cannot be written leaves no live credential behind", async () => {
      const context = { db, out: { write: () => undefined } };
      const credentials = createServiceCredentialStore(db);
      const blocker = path.join(folder, "a-file");
      writeFileSync(blocker, "");
      const liveBefore = (await credentials.list()).filter((c) => c.revokedAt === null).length;
      await assert.rejects(
        ensureCredential(context, "doomed", { scope: "read-only", tenants: "all", file: path.join(blocker, "inside", "x.credential") }),
      );
      assert.equal((await credentials.list()).filter((c) => c.revokedAt === null).length, liveBefore);
    });
  });
}
