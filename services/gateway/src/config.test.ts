import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError } from "@scimgw/config";
import { maxDirectoryMessageBytes } from "@scimgw/directory-client";
import { defaultScimLimits } from "@scimgw/scim";
import { loadGatewayConfig as loadWithoutCredential } from "./config.js";

/** Every other test is about other settings: give them a credential. */
const loadGatewayConfig = (env: NodeJS.ProcessEnv) => loadWithoutCredential({ DIRECTORY_CREDENTIAL: "scimgw_svc_test", ...env });

test("defaults make a working local gateway", () => {
  const config = loadGatewayConfig({});
  assert.equal(config.GATEWAY_PORT, 8080);
  assert.equal(config.DIRECTORY_ADDRESS, "127.0.0.1:50051");
  assert.equal(config.API_KEY_CACHE_SECONDS, 30);
  assert.equal(config.PUBLIC_BASE_URL, undefined);
});

test("every bad setting is reported by its variable name", () => {
  assert.throws(
    () => loadGatewayConfig({ GATEWAY_PORT: "eighty", DIRECTORY_ADDRESS: "nowhere", PUBLIC_BASE_URL: "ftp://x" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 3);
      assert.match(error.message, /GATEWAY_PORT: .*"eighty"/);
      assert.match(error.message, /DIRECTORY_ADDRESS: must be host:port/);
      assert.match(error.message, /PUBLIC_BASE_URL/);
      return true;
    },
  );
});

test("PUBLIC_BASE_URL is an origin: a trailing slash is dropped, the SCIM path refused", () => {
  assert.equal(loadGatewayConfig({ PUBLIC_BASE_URL: "https://scim.example.com/" }).PUBLIC_BASE_URL, "https://scim.example.com");
  assert.throws(() => loadGatewayConfig({ PUBLIC_BASE_URL: "https://scim.example.com/services/scim/v2" }), /without \/services\/scim\/v2/);
});

test("a default page larger than the maximum is refused", () => {
  assert.throws(() => loadGatewayConfig({ SCIM_DEFAULT_PAGE_SIZE: "500", SCIM_MAX_PAGE_SIZE: "100" }), /SCIM_DEFAULT_PAGE_SIZE/);
});

test("GROUP_MEMBER_PAGE_SIZE is a page ListGroupMembers can serve: 1 to 5000, 2000 by default", () => {
  assert.equal(loadGatewayConfig({}).GROUP_MEMBER_PAGE_SIZE, 2000);
  assert.equal(loadGatewayConfig({ GROUP_MEMBER_PAGE_SIZE: "500" }).GROUP_MEMBER_PAGE_SIZE, 500);
  assert.throws(() => loadGatewayConfig({ GROUP_MEMBER_PAGE_SIZE: "5001" }), /GROUP_MEMBER_PAGE_SIZE/);
  assert.throws(() => loadGatewayConfig({ GROUP_MEMBER_PAGE_SIZE: "0" }), /GROUP_MEMBER_PAGE_SIZE/);
});

test("the directory credential comes inline or from a file, is required, and not both", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "scimgw-gateway-config-"));
  try {
    writeFileSync(path.join(folder, "credential"), "scimgw_svc_fromfile\n");
    assert.equal(
      loadWithoutCredential({ DIRECTORY_CREDENTIAL_FILE: path.join(folder, "credential") }).directoryCredential,
      "scimgw_svc_fromfile",
    );
    assert.equal(loadWithoutCredential({ DIRECTORY_CREDENTIAL: "scimgw_svc_inline" }).directoryCredential, "scimgw_svc_inline");
    assert.throws(
      () => loadWithoutCredential({}),
      /DIRECTORY_CREDENTIAL or DIRECTORY_CREDENTIAL_FILE: .*credentials issue gateway --scope read-write/,
    );
    assert.throws(() => loadWithoutCredential({ DIRECTORY_CREDENTIAL: "a", DIRECTORY_CREDENTIAL_FILE: "b" }), /not both/);
    assert.equal(
      loadWithoutCredential({ DIRECTORY_CREDENTIAL: "scimgw_svc_inline\n" }).directoryCredential,
      "scimgw_svc_inline",
      "a trailing newline is not part of it",
    );
    assert.throws(
      () => loadWithoutCredential({ DIRECTORY_CREDENTIAL: "scimgw_svc_SECRET with space" }),
      (error: unknown) => {
        assert.match(String(error), /DIRECTORY_CREDENTIAL: .*a value of 28 characters, not shown/);
        assert.doesNotMatch(String(error), /SECRET/, "a credential is never echoed");
        return true;
      },
    );
    assert.throws(() => loadWithoutCredential({ DIRECTORY_CREDENTIAL_FILE: path.join(folder, "missing") }), /cannot read .*ENOENT/);
    writeFileSync(path.join(folder, "empty"), "\n");
    assert.throws(() => loadWithoutCredential({ DIRECTORY_CREDENTIAL_FILE: path.join(folder, "empty") }), /must hold one credential/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("TLS towards the directory: a CA alone, or with a client certificate and key together", () => {
  assert.equal(loadGatewayConfig({}).directoryTls, undefined);
  assert.deepEqual(loadGatewayConfig({ DIRECTORY_TLS_CA_FILE: "/ca.pem" }).directoryTls, { caFile: "/ca.pem" });
  assert.deepEqual(
    loadGatewayConfig({ DIRECTORY_TLS_CA_FILE: "/ca.pem", DIRECTORY_CLIENT_CERT_FILE: "/c.pem", DIRECTORY_CLIENT_KEY_FILE: "/k.pem" })
      .directoryTls,
    {
      caFile: "/ca.pem",
      certFile: "/c.pem",
      keyFile: "/k.pem",
    },
  );
  assert.throws(() => loadGatewayConfig({ DIRECTORY_CLIENT_CERT_FILE: "/c.pem" }), /needs both/);
  // The directory's own certificate settings, in the same environment, are not the gateway's.
  assert.equal(
    loadGatewayConfig({ DIRECTORY_TLS_CERT_FILE: "/server.pem", DIRECTORY_TLS_KEY_FILE: "/server.key" }).directoryTls,
    undefined,
  );
});

test("SCIM limits default to the SCIM core's and may only be tightened", () => {
  assert.deepEqual(loadGatewayConfig({}).limits, defaultScimLimits);
  assert.equal(loadGatewayConfig({ SCIM_MAX_PATCH_OPERATIONS: "100" }).limits.maxPatchOperations, 100);
  assert.throws(() => loadGatewayConfig({ SCIM_MAX_RESOURCE_BYTES: "1000000" }), /SCIM_MAX_RESOURCE_BYTES/);
});

test("the gRPC message limit holds the largest page: SCIM_MAX_PAGE_SIZE's ceiling × maxResourceBytes, twice", () => {
  assert.ok(1000 * defaultScimLimits.maxResourceBytes * 2 <= maxDirectoryMessageBytes);
});

test("metrics are served on loopback port 9464 by default, on another port or not at all", () => {
  const defaults = loadGatewayConfig({});
  assert.equal(defaults.GATEWAY_METRICS_HOST, "127.0.0.1");
  assert.equal(defaults.GATEWAY_METRICS_PORT, 9464);
  assert.equal(defaults.METRICS_MAX_TENANTS, 100);
  assert.equal(loadGatewayConfig({ GATEWAY_METRICS_PORT: "off" }).GATEWAY_METRICS_PORT, undefined);
  assert.equal(loadGatewayConfig({ GATEWAY_METRICS_PORT: "0" }).GATEWAY_METRICS_PORT, 0);
  assert.throws(() => loadGatewayConfig({ GATEWAY_METRICS_PORT: "on" }), /GATEWAY_METRICS_PORT: must be a port number \(0-65535\) or off/);
  assert.throws(() => loadGatewayConfig({ METRICS_MAX_TENANTS: "-1" }), /METRICS_MAX_TENANTS/);
});
