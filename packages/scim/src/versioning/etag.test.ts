import { test } from "node:test";
import assert from "node:assert/strict";
import { expectedVersionOf, versionToEtag } from "./etag.js";

test("If-Match names the version to compare-and-swap against", () => {
  assert.equal(expectedVersionOf(undefined), undefined);
  assert.equal(expectedVersionOf("*"), undefined);
  assert.equal(expectedVersionOf('W/"3"'), 3n);
  assert.equal(expectedVersionOf('"3"'), 3n, "clients that strip the weak marker");
  assert.equal(expectedVersionOf('W/"9", W/"4"'), 9n);
});

test("an If-Match we could never have issued is 412, like a stale one", () => {
  for (const header of ['"abc"', "W/3", 'W/"-1"']) {
    assert.throws(
      () => expectedVersionOf(header),
      (error: { status: number }) => error.status === 412,
      header,
    );
  }
});

test("If-None-Match with the current version means not modified", async () => {
  const { isNotModified } = await import("./etag.js");
  assert.equal(isNotModified('W/"3"', 3n), true);
  assert.equal(isNotModified('"3"', 3n), true);
  assert.equal(isNotModified('W/"2", W/"3"', 3n), true);
  assert.equal(isNotModified('W/"2"', 3n), false);
  assert.equal(isNotModified("*", 3n), true);
  assert.equal(isNotModified(undefined, 3n), false);
  assert.equal(isNotModified("garbage", 3n), false);
});

test("a version's ETag is weak: the representation varies with projection, the version does not", () => {
  assert.equal(versionToEtag(12n), 'W/"12"');
});
