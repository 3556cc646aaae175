import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson, getIgnoringCase, isJsonObject, jsonEqual } from "./json-value.js";

test("isJsonObject accepts objects only", () => {
  assert.equal(isJsonObject({}), true);
  assert.equal(isJsonObject([]), false);
  assert.equal(isJsonObject(null), false);
  assert.equal(isJsonObject("x"), false);
});

test("jsonEqual compares deeply and ignores key order", () => {
  assert.equal(jsonEqual({ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }), true);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual(undefined, undefined), true);
  assert.equal(jsonEqual(null, undefined), false);
  assert.equal(jsonEqual("1", 1), false);
});

test("cloneJson returns an independent copy", () => {
  const original = { a: { b: [1] } };
  const copy = cloneJson(original);
  copy.a.b.push(2);
  assert.deepEqual(original, { a: { b: [1] } });
});

test("getIgnoringCase finds a member whatever its letter case", () => {
  assert.deepEqual(getIgnoringCase({ Operations: [] }, "operations"), { key: "Operations", value: [] });
  assert.deepEqual(getIgnoringCase({ op: "add" }, "op"), { key: "op", value: "add" });
  assert.equal(getIgnoringCase({ a: 1 }, "b"), undefined);
});
