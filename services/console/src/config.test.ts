import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "@scimgw/config";
import { loadConsoleConfig } from "./config.js";

const base = { DIRECTORY_CREDENTIAL: "secret" };

test("defaults: port 8090, no public origins, proxy not trusted", () => {
  const config = loadConsoleConfig(base);
  assert.equal(config.CONSOLE_PORT, 8090);
  assert.equal(config.CONSOLE_PUBLIC_URL, undefined);
  assert.equal(config.scimPublicOrigin, undefined);
  assert.equal(config.TRUST_PROXY, false);
});

test("the SCIM origin is SCIM_PUBLIC_BASE_URL, else the gateway's PUBLIC_BASE_URL", () => {
  assert.equal(loadConsoleConfig({ ...base, PUBLIC_BASE_URL: "https://scim.example.com/" }).scimPublicOrigin, "https://scim.example.com");
  assert.equal(
    loadConsoleConfig({ ...base, PUBLIC_BASE_URL: "https://a.example", SCIM_PUBLIC_BASE_URL: "https://b.example" }).scimPublicOrigin,
    "https://b.example",
  );
});

test("a bad setting is refused by its name", () => {
  assert.throws(() => loadConsoleConfig({ ...base, CONSOLE_PUBLIC_URL: "https://console.example.com/path" }), /CONSOLE_PUBLIC_URL/);
  assert.throws(
    () => loadConsoleConfig({}),
    (error: unknown) => error instanceof ConfigError && /DIRECTORY_CREDENTIAL/.test(error.message),
  );
  assert.throws(() => loadConsoleConfig({ ...base, CONSOLE_PORT: "http" }), /CONSOLE_PORT/);
});
