import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultAllowedHosts, isAllowedHost, parseHost, publicOrigin } from "./public-origin.js";

const cases: Array<[host: string, allowed: boolean]> = [
  ["localhost:8080", true],
  ["LOCALHOST", true],
  ["127.0.0.1:54321", true],
  ["[::1]:8080", true],
  ["evil.example.com", false],
  ["localhost.evil.example.com", false],
  ["127.0.0.1.evil.example.com:80", false],
  ["localhost@evil.example.com", false],
  ["localhost:8080/evil", false],
  ["", false],
];
for (const [host, allowed] of cases) {
  test(`Host ${JSON.stringify(host)} is ${allowed ? "" : "not "}allowed by default`, () => {
    assert.equal(isAllowedHost(host, defaultAllowedHosts), allowed);
  });
}

test("an entry with a port allows only that port", () => {
  const allowed = [parseHost("scim.example.com:8443")!];
  assert.equal(isAllowedHost("scim.example.com:8443", allowed), true);
  assert.equal(isAllowedHost("scim.example.com", allowed), false);
  assert.equal(isAllowedHost("scim.example.com:9000", allowed), false);
});

test("PUBLIC_BASE_URL wins; an allowed host is used as sent; anything else makes links relative", () => {
  const allowedHosts = defaultAllowedHosts;
  assert.equal(
    publicOrigin({ protocol: "http", host: "evil.example" }, { publicBaseUrl: "https://scim.example.com", allowedHosts }),
    "https://scim.example.com",
  );
  assert.equal(publicOrigin({ protocol: "http", host: "127.0.0.1:8080" }, { allowedHosts }), "http://127.0.0.1:8080");
  assert.equal(publicOrigin({ protocol: "http", host: "evil.example" }, { allowedHosts }), "");
});
