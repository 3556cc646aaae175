import { test } from "node:test";
import assert from "node:assert/strict";
import { createBoundedLabel, overflowLabel } from "./bounded-label.js";

test("1,000 values become at most cap + 1 label values: the first cap ones, then other", () => {
  const label = createBoundedLabel(100);
  const values = new Set<string>();
  for (let i = 0; i < 1000; i++) values.add(label(`tenant-${i}`));
  assert.equal(values.size, 101);
  assert.ok(values.has(overflowLabel));
  assert.equal(label("tenant-0"), "tenant-0", "a value seen before the cap keeps its label");
  assert.equal(label("tenant-99"), "tenant-99");
  assert.equal(label("tenant-100"), overflowLabel, "the first value past the cap stays other");
});

test("a cap of 0 puts every value under other", () => {
  const label = createBoundedLabel(0);
  assert.equal(label("a"), overflowLabel);
});
