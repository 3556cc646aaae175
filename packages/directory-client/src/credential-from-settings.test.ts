import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@scimgw/config";
import { credentialFromSettings } from "./credential-from-settings.js";

const needs = "the test needs a credential";
const help = "issue one with the admin CLI";
const refused = (pattern: RegExp) => (error: unknown) => error instanceof ConfigError && pattern.test(String(error));

test("the credential comes from DIRECTORY_CREDENTIAL, or trimmed from DIRECTORY_CREDENTIAL_FILE, never both", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "credential-"));
  try {
    const file = path.join(folder, "credential");
    writeFileSync(file, "scimgw_svc_from_file\n");
    assert.equal(credentialFromSettings({ DIRECTORY_CREDENTIAL: "scimgw_svc_inline" }, needs, help), "scimgw_svc_inline");
    assert.equal(credentialFromSettings({ DIRECTORY_CREDENTIAL_FILE: file }, needs, help), "scimgw_svc_from_file");
    assert.throws(
      () => credentialFromSettings({ DIRECTORY_CREDENTIAL: "a", DIRECTORY_CREDENTIAL_FILE: file }, needs, help),
      refused(/not both/),
    );
    writeFileSync(file, "two words\n");
    assert.throws(
      () => credentialFromSettings({ DIRECTORY_CREDENTIAL_FILE: file }, needs, help),
      refused(/must hold one credential; issue one/),
    );
    assert.throws(
      () => credentialFromSettings({ DIRECTORY_CREDENTIAL_FILE: path.join(folder, "missing") }, needs, help),
      refused(/cannot read .*missing \(ENOENT\)/),
    );
    assert.throws(() => credentialFromSettings({}, needs, help), refused(/the test needs a credential for the directory; issue one/));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
