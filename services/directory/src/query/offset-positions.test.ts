import { test } from "node:test";
import assert from "node:assert/strict";
import { createOffsetPositions, type RememberedOffset } from "./offset-positions.js";

const entry = (id: string): RememberedOffset => ({ position: ["2026-01-01T00:00:00.000Z", id], totalResults: 10, changeSeq: "1" });

test("a remembered position is recalled under its tenant, listing and startIndex only", () => {
  const positions = createOffsetPositions();
  positions.remember("t1", "q", 101, entry("a"));
  assert.deepEqual(positions.recall("t1", "q", 101), entry("a"));
  assert.equal(positions.recall("t1", "q", 201), undefined);
  assert.equal(positions.recall("t1", "other", 101), undefined);
  assert.equal(positions.recall("t2", "q", 101), undefined);
});

test("the cache holds at most maxEntries, dropping the least recently used", () => {
  const positions = createOffsetPositions({ maxEntries: 3, maxPerTenant: 3 });
  for (const tenant of ["a", "b", "c"]) positions.remember(tenant, "q", 1, entry(tenant));
  positions.recall("a", "q", 1); // b is now the least recently used
  positions.remember("d", "q", 1, entry("d"));
  assert.equal(positions.stats().entries, 3);
  assert.equal(positions.recall("b", "q", 1), undefined);
  for (const tenant of ["a", "c", "d"]) assert.ok(positions.recall(tenant, "q", 1), tenant);
});

test("one tenant's walks evict its own entries, never other tenants'", () => {
  const positions = createOffsetPositions({ maxEntries: 10, maxPerTenant: 2 });
  positions.remember("quiet", "q", 101, entry("quiet"));
  for (let page = 1; page <= 50; page++) positions.remember("busy", "q", 1 + page * 100, entry(String(page)));
  assert.ok(positions.recall("quiet", "q", 101));
  assert.equal(positions.stats().entries, 3);
  // The busy tenant keeps its latest positions: the next pages of its walk.
  assert.ok(positions.recall("busy", "q", 5001));
  assert.ok(positions.recall("busy", "q", 4901));
  assert.equal(positions.recall("busy", "q", 4801), undefined);
});

test("a zero-sized cache remembers nothing, and an oversized position is not kept", () => {
  const off = createOffsetPositions({ maxEntries: 0, maxPerTenant: 0 });
  off.remember("t", "q", 101, entry("a"));
  assert.equal(off.recall("t", "q", 101), undefined);
  const positions = createOffsetPositions();
  positions.remember("t", "q", 101, { ...entry("a"), position: ["x".repeat(2000), "2026", "id"] });
  assert.equal(positions.recall("t", "q", 101), undefined);
  assert.equal(positions.stats().entries, 0);
});
