import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadGatewayConfig } from "./config.js";

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
