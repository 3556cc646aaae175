// Rate limits in process, over real HTTP, against a fake directory that counts key verifications:
// a key past its limit gets 429 with Retry-After and a SCIM body while other keys and tenants go
// on; a tenant's own limit applies; an unknown-key flood neither costs a directory query per key
// past the per-address limit nor evicts a valid key; and with PostgreSQL counters two gateways
// share one limit.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createHash } from "node:crypto";
import pg from "pg";
import { Code, ErrorReason, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import { createMemoryRateLimiterStore, createPostgresRateLimiterStore, type RateLimiterStore } from "./rate-limiter-store.js";
import type { RateLimitName } from "./respond-rate-limited.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");

/** Keys by their hash: key → tenant (and the tenant's own limit, if any). */
function fakeDirectory(keys: Record<string, { tenantId: string; tenantRateLimit?: { perSecond: number; burst: number } }>) {
  const byHash = new Map(Object.entries(keys).map(([key, value]) => [sha256(key), { ...value, keyId: `id-${key}` }]));
  const verified: string[] = [];
  const directory = {
    apiKeys: {
      async verifyApiKey({ keySha256 }: { keySha256: string }) {
        verified.push(keySha256);
        const found = byHash.get(keySha256);
        if (found === undefined) throw new RpcError(Code.UNAUTHENTICATED, "unknown", { reason: ErrorReason.UNKNOWN_API_KEY });
        return found;
      },
    },
    users: {
      async listUsers() {
        return { users: [], totalCount: 0 };
      },
    },
  } as unknown as DirectoryClient;
  return { directory, verified };
}

const servers: Server[] = [];
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Low sustained rates, so that even a slow machine's burst goes past them. */
const perKey = { perSecond: 2, burst: 10 };
const perTenant = { perSecond: 3, burst: 16 };

async function gateway(directory: DirectoryClient, store: RateLimiterStore, refused: RateLimitName[] = []) {
  const app = createGateway({
    ...testGatewayOptions(directory),
    apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 60_000, maxEntries: 10, maxUnknownEntries: 5 },
    rateLimits: {
      perKey,
      perTenant,
      failedAuthenticationsPerMinute: 3,
      store,
    },
    onRateLimited: (limit) => refused.push(limit),
  });
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${scimRoot}`;
  return (key: string) => fetch(`${base}/Users?count=0`, { headers: { Authorization: `Bearer ${key}` } });
}

/** Sends `n` requests at once and counts the statuses; `seconds` is how long they took. */
async function burst(get: (key: string) => Promise<Response>, key: string, n: number) {
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: n }, () => get(key)));
  const seconds = (performance.now() - started) / 1000;
  const statuses = new Map<number, number>();
  for (const response of responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  return { responses, seconds, ok: statuses.get(200) ?? 0, limited: statuses.get(429) ?? 0 };
}

/**
 * The most a limit lets through in `seconds`: its burst, plus the sustained rate for every
 * one-second window the requests touched. On a loaded machine a burst spreads over several
 * windows, so the bound grows with the time taken rather than assuming it was instant.
 */
const mostAllowed = (limit: { perSecond: number; burst: number }, seconds: number) =>
  limit.burst + limit.perSecond * (Math.ceil(seconds) + 1);

test("a key past its limit gets 429 with Retry-After and a SCIM error; another key and another tenant are unaffected", async () => {
  const { directory } = fakeDirectory({ a1: { tenantId: "A" }, a2: { tenantId: "A" }, b1: { tenantId: "B" } });
  const refused: RateLimitName[] = [];
  const get = await gateway(directory, createMemoryRateLimiterStore(), refused);
  const first = await burst(get, "a1", 30);
  assert.ok(
    first.ok >= 10 && first.ok <= mostAllowed(perKey, first.seconds),
    `a burst of 10 (+ 2 a second) passes: ${first.ok} in ${first.seconds} s`,
  );
  assert.ok(first.limited > 0);
  const refusal = first.responses.find((response) => response.status === 429)!;
  assert.match(refusal.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  assert.match(refusal.headers.get("content-type") ?? "", /^application\/scim\+json/);
  const body = (await refusal.json()) as { schemas: string[]; status: string; detail: string };
  assert.deepEqual(body.schemas, ["urn:ietf:params:scim:api:messages:2.0:Error"]);
  assert.equal(body.status, "429");
  assert.match(body.detail, /API key .*2 per second.*Retry after \d+ second/);
  assert.ok(refused.includes("api-key"), "refusals are counted");
  // Another tenant's key is untouched.
  assert.equal((await get("b1")).status, 200);
  // The same tenant's other key still has its own allowance, until the tenant's is spent.
  const second = await burst(get, "a2", 30);
  assert.ok(second.ok >= 1, "a2 is not limited by a1's key limit");
  assert.ok(refused.includes("tenant"), "the tenant limit (16) binds before a2's own (10) does");
  const tenantRefusal = second.responses.find((response) => response.status === 429)!;
  assert.match(((await tenantRefusal.json()) as { detail: string }).detail, /tenant/);
});

test("a tenant's own limit, carried by the key verification, replaces the defaults", async () => {
  const { directory } = fakeDirectory({
    big: { tenantId: "Big", tenantRateLimit: { perSecond: 50, burst: 100 } },
    small: { tenantId: "S" },
  });
  const get = await gateway(directory, createMemoryRateLimiterStore());
  assert.equal((await burst(get, "big", 60)).limited, 0);
  assert.ok((await burst(get, "small", 60)).limited > 0);
});

test("an unknown-key flood costs no directory query past the per-address limit and does not evict a valid key", async () => {
  const { directory, verified } = fakeDirectory({ valid: { tenantId: "A" } });
  const refused: RateLimitName[] = [];
  const get = await gateway(directory, createMemoryRateLimiterStore(), refused);
  assert.equal((await get("valid")).status, 200);
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++) statuses.push((await get(`guess-${i}`)).status);
  assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
  assert.ok(
    statuses.slice(3).every((status) => status === 429),
    "past 3 failures a minute, unknown keys are refused unasked",
  );
  assert.equal(verified.length, 1 + 3, "one verification for the valid key, one per failure before the limit, none after");
  assert.ok(refused.includes("failed-authentication"));
  // The valid key, from the same (blocked) address, is still served from the cache.
  assert.equal((await get("valid")).status, 200);
  assert.equal(verified.filter((hash) => hash === sha256("valid")).length, 1);
});

describe("PostgreSQL counters", async () => {
  const kinds = await storeKindsUnderTest();
  if (!kinds.includes("postgres")) return;
  const table = uniqueSchemaName("rate_limits_test");
  const stores: RateLimiterStore[] = [];
  after(async () => {
    for (const store of stores) await store.close();
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    await client.query(`drop table if exists "${table}"`);
    await client.end();
  });

  test("two gateways sharing the table share one limit", async () => {
    const { directory } = fakeDirectory({ k: { tenantId: "A" } });
    // Both gateways create the table at start, as scaled-out gateways do at the same time.
    const [one, two] = await Promise.all([
      createPostgresRateLimiterStore({ url: testPostgresUrl, tableName: table }),
      createPostgresRateLimiterStore({ url: testPostgresUrl, tableName: table }),
    ]);
    stores.push(one, two);
    const getOne = await gateway(directory, one);
    const getTwo = await gateway(directory, two);
    const [a, b] = await Promise.all([burst(getOne, "k", 12), burst(getTwo, "k", 12)]);
    const seconds = Math.max(a.seconds, b.seconds);
    assert.ok(a.ok + b.ok <= mostAllowed(perKey, seconds), `together at most one allowance: ${a.ok} + ${b.ok} in ${seconds} s`);
    assert.ok(a.ok + b.ok < 24 && a.limited + b.limited > 0, "two separate allowances would pass all 24");
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    const { rows } = await client.query(`select count(*)::int as n from "${table}"`);
    await client.end();
    assert.ok(rows[0].n > 0, "the counters are in the shared table");
  });
});
