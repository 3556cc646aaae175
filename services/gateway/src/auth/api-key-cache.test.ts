import { test } from "node:test";
import assert from "node:assert/strict";
import { createApiKeyCache } from "./api-key-cache.js";

/** A verification as these tests make them: a tenant's name, or no tenant (not valid). */
interface Answer {
  valid: boolean;
  tenant?: string;
}
const answer = (tenant: string | undefined): Answer => (tenant === undefined ? { valid: false } : { valid: true, tenant });
const tenantOf = async (lookup: Promise<Answer>) => (await lookup).tenant;

function harness(answers: Record<string, string | undefined>) {
  let now = 0;
  const calls: string[] = [];
  const cache = createApiKeyCache<Answer>(
    async (hash) => {
      calls.push(hash);
      if (hash === "boom") throw new Error("directory down");
      return answer(answers[hash]);
    },
    { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 2, now: () => now },
  );
  return { cache, calls, advance: (ms: number) => (now += ms) };
}

test("a verified key is trusted for the TTL, then verified again", async () => {
  const { cache, calls, advance } = harness({ k: "tenant" });
  assert.equal(await tenantOf(cache.lookup("k")), "tenant");
  assert.equal(await tenantOf(cache.lookup("k")), "tenant");
  assert.equal(calls.length, 1);
  advance(30_001);
  await cache.lookup("k");
  assert.equal(calls.length, 2);
});

test("concurrent lookups of one key share one verification", async () => {
  const { cache, calls } = harness({ k: "tenant" });
  await Promise.all([cache.lookup("k"), cache.lookup("k"), cache.lookup("k")]);
  assert.equal(calls.length, 1);
});

test("unknown keys are remembered only briefly, and failures not at all", async () => {
  const { cache, calls, advance } = harness({});
  assert.equal(await tenantOf(cache.lookup("nope")), undefined);
  await cache.lookup("nope");
  assert.equal(calls.length, 1);
  advance(5_001);
  await cache.lookup("nope");
  assert.equal(calls.length, 2);
  await assert.rejects(cache.lookup("boom"));
  await assert.rejects(cache.lookup("boom"));
  assert.equal(calls.filter((hash) => hash === "boom").length, 2);
});

test("the cache is bounded: the least recently used key is forgotten", async () => {
  const { cache, calls } = harness({ a: "1", b: "2", c: "3" });
  await cache.lookup("a");
  await cache.lookup("b");
  await cache.lookup("a");
  await cache.lookup("c");
  assert.equal(cache.size, 2);
  await cache.lookup("a");
  await cache.lookup("b");
  assert.deepEqual(calls, ["a", "b", "c", "b"]);
});

test("a flood of unknown keys evicts only unknown keys: valid ones stay cached", async () => {
  let now = 0;
  const calls: string[] = [];
  const cache = createApiKeyCache<Answer>(
    async (hash) => {
      calls.push(hash);
      return answer(hash === "valid" ? "tenant" : undefined);
    },
    { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 10, maxUnknownEntries: 5, now: () => now },
  );
  assert.equal(await tenantOf(cache.lookup("valid")), "tenant");
  for (let i = 0; i < 1000; i++) assert.equal(await tenantOf(cache.lookup(`random-${i}`)), undefined);
  assert.ok(cache.size <= 6, `bounded: ${cache.size}`);
  now += 1000;
  assert.equal(await tenantOf(cache.lookup("valid")), "tenant");
  assert.equal(calls.filter((hash) => hash === "valid").length, 1, "the valid key was verified once and stayed cached");
  now += 60_000;
  assert.equal(cache.wasValid("valid"), true, "an expired valid key is still known to have been valid");
  assert.equal(cache.wasValid("random-999"), false);
});
