// What the gateway puts in the activity log, in process over real HTTP against a fake directory
// that records what it is sent: reads, failures and refusals as entries of the gateway's own
// batches, successful writes as the ScimRequest the directory records them from.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createHash } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  IdentityProvider,
  ScimRequestSchema,
  UserSchema,
  scimRequestMetadataKey,
  type ActivityEntry,
  type ScimRequest,
} from "@scimgw/proto";
import { createLogger } from "@scimgw/observability";
import { Code, ErrorReason, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";
import { createMemoryRateLimiterStore } from "../rate-limit/rate-limiter-store.js";
import { createActivityRecorder } from "./activity-recorder.js";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const userId = "2819c223-7f76-453a-919d-413861904646";

/** What the fake directory was told a write served. */
const writesServed: ScimRequest[] = [];
function served(options?: { metadata?: Record<string, string | Buffer> }): void {
  const value = options?.metadata?.[scimRequestMetadataKey];
  assert.ok(Buffer.isBuffer(value), "every user write carries the SCIM request it serves");
  writesServed.push(fromBinary(ScimRequestSchema, value));
}
/** A read carries none: its entry is the gateway's, and the directory would ignore it. */
function servedRead(options?: { metadata?: Record<string, string | Buffer> }): void {
  assert.equal(options?.metadata?.[scimRequestMetadataKey], undefined, "a read carries no SCIM request");
}

const directory = {
  apiKeys: {
    async verifyApiKey({ keySha256 }: { keySha256: string }) {
      if (keySha256 === sha256("okta-key") || keySha256 === sha256("okta-key-without-its-scheme"))
        return { tenantId: "acme", keyId: "k-okta", keyLabel: "okta-prod" };
      if (keySha256 === sha256("flood-key")) return { tenantId: "flood", keyId: "k-flood", keyLabel: "flood" };
      const known = { tenant_id: "globex", key_id: "k-old", key_label: "entra-2025" };
      if (keySha256 === sha256("revoked-key"))
        throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked API key", { reason: ErrorReason.UNKNOWN_API_KEY, metadata: known });
      if (keySha256 === sha256("suspended-key"))
        throw new RpcError(Code.UNAUTHENTICATED, "the API key's tenant is suspended", {
          reason: ErrorReason.TENANT_SUSPENDED,
          metadata: { ...known, key_id: "k-suspended" },
        });
      throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked API key", { reason: ErrorReason.UNKNOWN_API_KEY });
    },
  },
  users: {
    async listUsers(_request: unknown, options?: { metadata?: Record<string, string | Buffer> }) {
      servedRead(options);
      return { users: [], totalResults: 0n };
    },
    async getUser(request: { id: string }, options?: { metadata?: Record<string, string | Buffer> }) {
      servedRead(options);
      return { user: create(UserSchema, { id: request.id, userName: "ada@example.com" }) };
    },
    async createUser(request: { user: { userName: string } }, options?: { metadata?: Record<string, string | Buffer> }) {
      served(options);
      if (request.user.userName === "taken@example.com")
        throw new RpcError(Code.ALREADY_EXISTS, 'userName "taken@example.com" is already taken in this tenant', {
          reason: ErrorReason.UNIQUENESS,
          metadata: { attribute: "userName" },
        });
      return { user: create(UserSchema, { ...request.user, id: userId }) };
    },
  },
} as unknown as DirectoryClient;

const recorded: ActivityEntry[] = [];
const recorder = createActivityRecorder({
  send: async (entries) => {
    recorded.push(...entries);
  },
  logger: createLogger({ name: "gateway", level: "silent" }),
  flushEveryMs: 60_000,
  maxPerTenantPerFlush: 5,
});

let server: Server;
let base: string;
before(async () => {
  server = createGateway({
    ...testGatewayOptions(directory),
    activity: recorder,
    logger: createLogger({ name: "gateway", level: "silent" }),
    maxBodySize: "10kb",
    isResourceId: () => true,
    rateLimits: {
      perKey: { perSecond: 1, burst: 20 },
      perTenant: { perSecond: 1000, burst: 1000 },
      failedAuthenticationsPerMinute: 1000,
      store: createMemoryRateLimiterStore(),
    },
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.close();
  await recorder.close();
});

async function send(method: string, path: string, key: string, body?: unknown, requestId = `req-${Math.random()}`) {
  const response = await fetch(`${base}${scimRoot}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      "x-request-id": requestId,
      "user-agent": "Okta SCIM Client 1.0.0",
      ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return { status: response.status, requestId: response.headers.get("x-request-id") ?? "" };
}

async function entriesOf(requestId: string): Promise<ActivityEntry[]> {
  await recorder.flush();
  return recorded.filter((entry) => entry.request?.requestId === requestId);
}

test("a read is recorded by the gateway: who, what, how it went, and the filter's values hidden", async () => {
  const { status, requestId } = await send(
    "GET",
    `/Users?filter=${encodeURIComponent('userName eq "ada@example.com"')}&count=5`,
    "okta-key",
  );
  assert.equal(status, 200);
  const [entry, ...more] = await entriesOf(requestId);
  assert.equal(more.length, 0, "one entry per request");
  assert.equal(entry?.tenantId, "acme");
  assert.deepEqual(
    [entry?.request?.keyId, entry?.request?.keyLabel, entry?.request?.identityProvider, entry?.request?.method, entry?.request?.path],
    ["k-okta", "okta-prod", IdentityProvider.OKTA, "GET", `${scimRoot}/Users`],
  );
  assert.equal(entry?.request?.query, 'filter=userName eq "…"&count=5');
  assert.deepEqual([entry?.resourceType, entry?.resourceId, entry?.status], ["User", "", 200]);
  const get = await send("GET", `/Users/${userId}`, "okta-key");
  const [read] = await entriesOf(get.requestId);
  assert.deepEqual([read?.resourceType, read?.resourceId, read?.status], ["User", userId, 200]);
  assert.ok((entry?.latencyMs ?? -1) >= 0);
  assert.ok(!JSON.stringify(recorded, (_key, value) => (typeof value === "bigint" ? String(value) : value)).includes("okta-key"));
});

test("a successful write is left to the directory, which is sent the request it serves", async () => {
  const { status, requestId } = await send("POST", "/Users", "okta-key", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "new@example.com",
  });
  assert.equal(status, 201);
  assert.deepEqual(await entriesOf(requestId), [], "the gateway records no entry of its own");
  const request = writesServed.find((served) => served.requestId === requestId);
  assert.deepEqual(
    [request?.keyLabel, request?.method, request?.successStatus, request?.identityProvider],
    ["okta-prod", "POST", 201, IdentityProvider.OKTA],
  );
  assert.ok(request?.startedAt !== undefined);
});

test("a failed write is recorded by the gateway with its status, scimType and detail", async () => {
  const { status, requestId } = await send("POST", "/Users", "okta-key", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "taken@example.com",
  });
  assert.equal(status, 409);
  const [entry] = await entriesOf(requestId);
  assert.deepEqual([entry?.status, entry?.scimType, entry?.resourceType, entry?.resourceId], [409, "uniqueness", "User", ""]);
  assert.match(entry?.detail ?? "", /already taken/);
  const bad = await send("POST", "/Users", "okta-key", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: 7 });
  const [invalid] = await entriesOf(bad.requestId);
  assert.deepEqual([invalid?.status, invalid?.scimType], [400, "invalidValue"]);
});

test("a known key's refusal is recorded in its own tenant; an unknown key's in none", async () => {
  const revoked = await send("GET", "/Users", "revoked-key");
  assert.equal(revoked.status, 401);
  const [entry] = await entriesOf(revoked.requestId);
  assert.deepEqual(
    [entry?.tenantId, entry?.request?.keyId, entry?.request?.keyLabel, entry?.status],
    ["globex", "k-old", "entra-2025", 401],
  );
  assert.match(entry?.detail ?? "", /unknown or has been revoked/);

  const suspended = await fetch(`${base}${scimRoot}/Users`, { headers: { authorization: "Bearer suspended-key" } });
  const body = (await suspended.json()) as { detail: string };
  assert.equal(suspended.status, 401);
  assert.match(body.detail, /tenant is suspended/);
  const [suspendedEntry] = await entriesOf(suspended.headers.get("x-request-id") ?? "");
  assert.deepEqual([suspendedEntry?.tenantId, suspendedEntry?.request?.keyId, suspendedEntry?.status], ["globex", "k-suspended", 401]);

  // The right key without its scheme: told so, and recorded in the key's tenant.
  const bare = await fetch(`${base}${scimRoot}/Users`, { headers: { authorization: "okta-key-without-its-scheme" } });
  assert.equal(bare.status, 401);
  assert.match(((await bare.json()) as { detail: string }).detail, /key is right but was sent without its scheme/);
  const [bareEntry] = await entriesOf(bare.headers.get("x-request-id") ?? "");
  assert.deepEqual([bareEntry?.tenantId, bareEntry?.request?.keyLabel, bareEntry?.status], ["acme", "okta-prod", 401]);
  const bareUnknown = await fetch(`${base}${scimRoot}/Users`, { headers: { authorization: "some-other-token-of-length" } });
  assert.match(((await bareUnknown.json()) as { detail: string }).detail, /send the API key as `Authorization: Bearer <key>`/);
  assert.deepEqual(await entriesOf(bareUnknown.headers.get("x-request-id") ?? ""), []);

  const unknown = await send("GET", "/Users", "never-issued");
  assert.equal(unknown.status, 401);
  assert.deepEqual(await entriesOf(unknown.requestId), []);
});

test("a tenant's entries per batch are bounded, so its flood cannot flood the log; others still get theirs", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push((await send("GET", `/Users/${userId}`, "flood-key")).requestId);
  const other = await send("GET", `/Users/${userId}`, "okta-key");
  await recorder.flush();
  const flooded = recorded.filter((entry) => ids.includes(entry.request?.requestId ?? ""));
  assert.equal(flooded.length, 5, "maxPerTenantPerFlush of this recorder");
  assert.equal((await entriesOf(other.requestId)).length, 1);
});
