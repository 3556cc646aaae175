// The gateway's request ids and access lines, in process over real HTTP, against a fake directory,
// with the real logger writing to a stream the test reads: the lines are exactly what an operator
// would see.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { createHash, randomUUID } from "node:crypto";
import { createLogger, currentRequestId } from "@scimgw/observability";
import { Code, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import { createMemoryRateLimiterStore } from "../rate-limit/rate-limiter-store.js";

type Line = Record<string, unknown>;
const lines: Line[] = [];
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Line);
    done();
  },
});

/** What the fake directory saw of the request it served: the request id its work ran under. */
const seenByDirectory: Array<string | undefined> = [];
let directoryDown = false;
const directory = {
  apiKeys: {
    verifyApiKey: async ({ keySha256 }: { keySha256: string }) => {
      // Each key its own id, so each test's key has its own rate limit.
      return { tenantId: "acme", keyId: `k-${keySha256.slice(0, 8)}`, keyLabel: "okta-prod" };
    },
  },
  users: {
    async listUsers() {
      seenByDirectory.push(currentRequestId());
      if (directoryDown) throw new RpcError(Code.UNAVAILABLE, "No connection established. Last error: connect ECONNREFUSED");
      return { users: [], totalResults: 0n };
    },
  },
} as unknown as DirectoryClient;

let server: Server;
let base: string;
before(async () => {
  server = createGateway({
    ...testGatewayOptions(directory),
    logger: createLogger({ name: "gateway", level: "debug" }, destination),
    maxBodySize: "1kb",
    rateLimits: {
      perKey: { perSecond: 1, burst: 3 },
      perTenant: { perSecond: 1000, burst: 1000 },
      failedAuthenticationsPerMinute: 1000,
      store: createMemoryRateLimiterStore(),
    },
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

/** A new API key; a secret, so no log line may show it. */
const newKey = () => `secret-${randomUUID()}`;
const keyIdOf = (key: string) => `k-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;

/** The lines logged for one request: every line about it carries its id. */
const linesOf = (requestId: string) => lines.filter((line) => line.requestId === requestId);

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a caller's X-Request-Id comes back, reaches the directory's work, and names one access line with the request's fields", async () => {
  const key = newKey();
  const response = await fetch(`${base}${scimRoot}/Users?filter=${encodeURIComponent('userName eq "alice@example.com"')}&count=5`, {
    headers: { authorization: `Bearer ${key}`, "x-request-id": "okta-req-1", "user-agent": "Okta SCIM Client 1.0.0" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-request-id"), "okta-req-1");
  assert.equal(seenByDirectory.at(-1), "okta-req-1");
  const [line, ...others] = linesOf("okta-req-1");
  assert.deepEqual(others, []);
  assert.ok(line);
  assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const { time: _time, durationMs, pid: _pid, hostname: _hostname, ...fields } = line;
  assert.equal(typeof durationMs, "number");
  assert.deepEqual(fields, {
    level: "info",
    name: "gateway",
    requestId: "okta-req-1",
    tenant: "acme",
    keyId: keyIdOf(key),
    keyLabel: "okta-prod",
    idp: "okta",
    operation: "users.list",
    method: "GET",
    path: `${scimRoot}/Users`,
    query: 'filter=userName eq "…"&count=5',
    status: 200,
    msg: "request",
  });
  assert.ok(!JSON.stringify(lines).includes("alice@example.com"), "the compared value is in no line");
  assert.ok(!JSON.stringify(lines).includes(key), "the API key is in no line");
});

test("without an X-Request-Id, or with one not fit for a log, the gateway makes one", async () => {
  for (const sent of [undefined, 'x","level":"fatal', "a".repeat(200)]) {
    const response = await fetch(`${base}/healthz`, { headers: sent === undefined ? {} : { "x-request-id": sent } });
    const id = response.headers.get("x-request-id");
    assert.match(String(id), uuid, `for ${sent}`);
    assert.equal(linesOf(String(id)).length, 1);
  }
});

test("every refusal carries the request id: 401, 404, 413, 429", async () => {
  const key = newKey();
  const refusals: Array<[string, RequestInit, number]> = [
    [`${scimRoot}/Users`, {}, 401],
    [`${scimRoot}/Nothing`, { headers: { authorization: `Bearer ${key}` } }, 404],
    [
      `${scimRoot}/Users`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/scim+json" },
        body: JSON.stringify({ userName: "x".repeat(2000) }),
      },
      413,
    ],
  ];
  for (let i = 0; i < 4; i++) refusals.push([`${scimRoot}/Users`, { headers: { authorization: `Bearer ${key}` } }, i < 2 ? 200 : 429]);
  const statuses: number[] = [];
  for (const [index, [path, init, _expected]] of refusals.entries()) {
    const id = `refusal-${index}`;
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), "x-request-id": id },
    });
    await response.arrayBuffer();
    statuses.push(response.status);
    assert.equal(response.headers.get("x-request-id"), id, `on ${response.status}`);
    assert.equal(linesOf(id).filter((line) => line.msg === "request").length, 1, `one access line on ${response.status}`);
  }
  assert.deepEqual(
    statuses,
    refusals.map(([, , expected]) => expected),
  );
  const unauthenticated = linesOf("refusal-0")[0];
  assert.equal(unauthenticated?.level, "warn");
  assert.match(String(unauthenticated?.cause), /Authentication required/);
  assert.equal(linesOf("refusal-1")[0]?.level, "info");
  assert.equal(linesOf("refusal-1")[0]?.operation, "unmatched");
  assert.equal(linesOf("refusal-2")[0]?.status, 413);
});

test("a directory outage is one error line per request, with its id and the cause, not a stack", async () => {
  directoryDown = true;
  try {
    const response = await fetch(`${base}${scimRoot}/Users`, {
      headers: { authorization: `Bearer ${newKey()}`, "x-request-id": "outage-1" },
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("x-request-id"), "outage-1");
    const logged = linesOf("outage-1");
    assert.equal(logged.length, 1);
    assert.equal(logged[0]?.level, "error");
    assert.equal(logged[0]?.status, 503);
    assert.equal(logged[0]?.cause, "UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED");
    assert.equal(logged[0]?.err, undefined);
  } finally {
    directoryDown = false;
  }
});

test("a failed request's scimType is on its line", async () => {
  const response = await fetch(`${base}${scimRoot}/Users?filter=${encodeURIComponent("userName zz 1")}`, {
    headers: { authorization: `Bearer ${newKey()}`, "x-request-id": "bad-filter" },
  });
  assert.equal(response.status, 400);
  assert.equal(linesOf("bad-filter")[0]?.scimType, "invalidFilter");
});

test("health probes are logged at debug, not info", async () => {
  await fetch(`${base}/healthz`, { headers: { "x-request-id": "probe-1" } });
  assert.equal(linesOf("probe-1")[0]?.level, "debug");
});
