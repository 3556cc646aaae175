import assert from "node:assert/strict";
import { test } from "node:test";
import type { Context } from "koa";
import { csrfTokenMatches } from "./csrf-token.js";
import { isSameOrigin } from "./same-origin.js";
import { readCookie, sessionCookieName } from "./session-cookie.js";

function contextWith(headers: Record<string, string>): Context {
  return { get: (name: string) => headers[name.toLowerCase()] ?? "" } as unknown as Context;
}

test("a CSRF token must be the session's", () => {
  assert.equal(csrfTokenMatches("abc", "abc"), true);
  assert.equal(csrfTokenMatches("abd", "abc"), false);
  assert.equal(csrfTokenMatches("ab", "abc"), false);
  assert.equal(csrfTokenMatches(undefined, "abc"), false);
  assert.equal(csrfTokenMatches("", ""), false);
});

test("state changes must come from the console's own origin", () => {
  const origin = "https://console.example.com";
  const rows: Array<[Record<string, string>, boolean]> = [
    [{ origin }, true],
    [{ origin, "sec-fetch-site": "same-origin" }, true],
    [{ "sec-fetch-site": "same-origin" }, true],
    [{ origin: "https://evil.example" }, false],
    [{ origin, "sec-fetch-site": "cross-site" }, false],
    [{ origin, "sec-fetch-site": "same-site" }, false],
    [{ origin: "null" }, false],
    // A form's POST under Referrer-Policy: no-referrer.
    [{ origin: "null", "sec-fetch-site": "same-origin" }, true],
    [{ origin: "https://evil.example", "sec-fetch-site": "same-origin" }, false],
    [{}, false],
  ];
  for (const [headers, expected] of rows) assert.equal(isSameOrigin(contextWith(headers), origin), expected, JSON.stringify(headers));
});

test("the session cookie is read by its name only, and only when well-formed", () => {
  const name = sessionCookieName(true);
  assert.equal(name, "__Host-scimgw_session");
  assert.equal(readCookie(contextWith({ cookie: `a=b; ${name}=tok.en_1` }), name), "tok.en_1");
  assert.equal(readCookie(contextWith({ cookie: "scimgw_session=x" }), name), undefined);
  assert.equal(readCookie(contextWith({ cookie: `${name}=<bad>` }), name), undefined);
});
