import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, RpcError } from "@scimgw/grpc";
import {
  ChangedResourceType,
  ChangeEventSchema,
  ChangeKind,
  ErrorReason,
  ExtendedResourceType,
  SchemaAttributeType,
  SchemaExtensionSchema,
  TenantSchema,
  TenantSummarySchema,
  UserSchema,
} from "@scimgw/proto";
import { pino } from "pino";
import { createLogger, currentRequestId } from "@scimgw/observability";
import type { ConsoleDirectory } from "./context/console-context.js";
import { createConsole } from "./create-console.js";
import { contentSecurityPolicy } from "./http/security-headers.js";

const tenantId = "0b6e7c52-8d5f-4a8e-9c3e-2f1d7a6b5c4d";
const userId = "4f7d2c1a-9b8e-4c6d-8a5f-3e2d1c0b9a87";
const hostile = "<img src=x onerror=window.__xss=1>";
const sessionToken = "session-token-1234567890";
const csrfToken = "csrf-token-abcdef";
const calls: string[] = [];
const acmeUser = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
/** The filters the users page sent to ListUsers. */
const listedFilters: unknown[] = [];
/** The tenant's latest change, as its health says. */
let latestChange = 0n;
/** The oldest change the feed still keeps; undefined when retention pruned them all. */
let oldestKept: bigint | undefined;

/** The directory as the console sees it, with only what these tests reach. */
const directory = {
  operators: {
    async getOperatorSession({ sessionToken: token }: { sessionToken: string }) {
      if (token !== sessionToken) throw new RpcError(Code.UNAUTHENTICATED, "ended", { reason: ErrorReason.OPERATOR_SESSION_ENDED });
      return { session: { operator: { email: "ops@example.com" }, csrfToken } };
    },
    async startOperatorSession({ password }: { password: string }) {
      if (password === "limited")
        throw new RpcError(Code.RESOURCE_EXHAUSTED, "slow down", {
          reason: ErrorReason.RATE_LIMITED,
          metadata: { retry_after_seconds: "300" },
        });
      if (password !== "right") throw new RpcError(Code.UNAUTHENTICATED, "no", { reason: ErrorReason.INVALID_OPERATOR_CREDENTIALS });
      return { sessionToken, session: { csrfToken } };
    },
    async endOperatorSession() {
      return {};
    },
  },
  tenants: {
    async listTenants() {
      return {
        tenants: [
          create(TenantSummarySchema, { tenant: create(TenantSchema, { id: tenantId, name: hostile, createdAt: timestampNow() }) }),
        ],
      };
    },
    async getTenant() {
      return {
        tenant: create(TenantSummarySchema, {
          tenant: create(TenantSchema, { id: tenantId, name: hostile }),
          health: { lastChangeSeq: latestChange },
        }),
      };
    },
    async createTenant({ name }: { name: string }) {
      calls.push(`createTenant ${name}`);
      return { tenant: create(TenantSchema, { id: tenantId, name }) };
    },
  },
  apiKeys: { listApiKeys: async () => ({ apiKeys: [] }) },
  setupLinks: {
    listSetupLinks: async () => ({ setupLinks: [] }),
    async openSetupLink({ token }: { token: string }) {
      if (token === "expired-token-000000") throw new RpcError(Code.UNAUTHENTICATED, "expired", { reason: ErrorReason.SETUP_LINK_EXPIRED });
      throw new RpcError(Code.UNAUTHENTICATED, "unknown", { reason: ErrorReason.UNKNOWN_SETUP_LINK });
    },
    async issueSetupApiKey(): Promise<never> {
      throw new RpcError(Code.UNAUTHENTICATED, "unknown", { reason: ErrorReason.UNKNOWN_SETUP_LINK });
    },
  },
  users: {
    async getUser() {
      return { user: create(UserSchema, { id: userId, userName: hostile, displayName: hostile }) };
    },
    async listUsers({ filter }: { filter?: unknown }) {
      listedFilters.push(filter);
      return { users: [], totalResults: 0n };
    },
  },
  // The tenant has one extension, so its attributes are filterable in the users page's box.
  schemas: {
    async listSchemaExtensions() {
      return {
        schemaRevision: 1n,
        extensions: [
          create(SchemaExtensionSchema, {
            id: acmeUser,
            name: "AcmeUser",
            resourceType: ExtendedResourceType.USER,
            attributes: [{ name: "tier", type: SchemaAttributeType.STRING }],
          }),
        ],
      };
    },
  },
  activity: { listActivity: async () => ({ entries: [], latestSeq: 0n, nextPageToken: "" }) },
  // The feed keeps changes from `oldestKept` to latestChange (none when oldestKept is undefined)
  // and refuses an earlier start as the directory does.
  async *watchChanges(_tenantId: string, { after, signal }: { after: bigint; signal?: AbortSignal }) {
    const expired = oldestKept === undefined ? after < latestChange : after < oldestKept - 1n;
    if (expired)
      throw new RpcError(Code.OUT_OF_RANGE, "no longer kept", {
        reason: ErrorReason.CURSOR_EXPIRED,
        metadata: oldestKept === undefined ? {} : { oldest_seq: String(oldestKept) },
      });
    for (let seq = after + 1n; seq <= latestChange; seq++)
      yield create(ChangeEventSchema, { seq, kind: ChangeKind.CREATED, resourceType: ChangedResourceType.USER, resourceId: `u${seq}` });
    await new Promise((resolve) => signal?.addEventListener("abort", resolve));
  },
} as unknown as ConsoleDirectory;

/** The stylesheet's source folder: this package's own build is not a dependency of its tests. */
const assetsFolder = new URL("../assets", import.meta.url).pathname;
let base = "";
let close = () => {};

before(async () => {
  const app = createConsole({ directory, logger: pino({ level: "silent" }), assetsFolder });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
after(() => close());

const cookie = `scimgw_session=${sessionToken}`;
const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: base, ...headers },
    body: new URLSearchParams(body),
  });

test("every response carries the CSP and the other security headers", async () => {
  for (const path of ["/login", "/tenants", "/setup/unknown-token-0000000", "/nowhere", "/assets/console.css"]) {
    const response = await fetch(`${base}${path}`, { redirect: "manual", headers: { cookie } });
    assert.equal(response.headers.get("content-security-policy"), contentSecurityPolicy, path);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
  }
  assert.equal((await fetch(`${base}/tenants`, { headers: { cookie } })).headers.get("cache-control"), "no-store");
});

test("every request has an id: on its response, on its log line, and on the directory calls made for it", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ name: "console", level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const seenByDirectory: Array<string | undefined> = [];
  const watched = new Proxy(directory, {
    get: (target, service) =>
      new Proxy(Reflect.get(target, service) as object, {
        get: (calls, method) => {
          const call = Reflect.get(calls, method) as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            seenByDirectory.push(currentRequestId());
            return call.apply(calls, args);
          };
        },
      }),
  });
  const app = createConsole({ directory: watched, logger, assetsFolder });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const kept = await fetch(`${origin}/tenants`, { headers: { cookie, "x-request-id": "req-console-1" } });
    assert.equal(kept.headers.get("x-request-id"), "req-console-1");
    assert.ok(seenByDirectory.length > 0 && seenByDirectory.every((id) => id === "req-console-1"), String(seenByDirectory));
    assert.ok(lines.some((line) => line.msg === "request" && line.requestId === "req-console-1"));
    const fresh = await fetch(`${origin}/nowhere`, { headers: { cookie } });
    assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  } finally {
    server.close();
  }
});

test("without a session a page sends the browser to sign in", async () => {
  const response = await fetch(`${base}/tenants`, { redirect: "manual" });
  assert.equal(response.status, 302);
  assert.match(response.headers.get("location") ?? "", /^\/login\?next=/);
});

test("hostile values from the directory are text", async () => {
  for (const path of ["/tenants", `/tenants/${tenantId}/users/${userId}`]) {
    const page = await (await fetch(`${base}${path}`, { headers: { cookie } })).text();
    assert.ok(!page.includes(hostile), path);
    assert.ok(page.includes("&lt;img src=x onerror=window.__xss=1&gt;"), path);
  }
});

test("a state change needs the session's CSRF token and the console's origin", async () => {
  calls.length = 0;
  const refusals = [
    await post("/tenants", { name: "acme" }),
    await post("/tenants", { name: "acme", csrf_token: "wrong" }),
    await post("/tenants", { name: "acme", csrf_token: csrfToken }, { origin: "https://evil.example" }),
    await post("/tenants", { name: "acme", csrf_token: csrfToken }, { "sec-fetch-site": "cross-site" }),
  ];
  for (const response of refusals) assert.equal(response.status, 403);
  assert.deepEqual(calls, []);
  const accepted = await post("/tenants", { name: "acme", csrf_token: csrfToken });
  assert.equal(accepted.status, 303);
  assert.deepEqual(calls, ["createTenant acme"]);
});

test("sign-in: the cookie is HttpOnly and SameSite=Strict; wrong credentials and the rate limit are said plainly", async () => {
  const ok = await post("/login", { email: "ops@example.com", password: "right" }, { cookie: "" });
  assert.equal(ok.status, 303);
  assert.match(ok.headers.get("set-cookie") ?? "", /^scimgw_session=session-token-1234567890; HttpOnly; SameSite=Strict; Path=\//);
  const wrong = await post("/login", { email: "ops@example.com", password: "nope" }, { cookie: "" });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /The email or the password is wrong/);
  const limited = await post("/login", { email: "ops@example.com", password: "limited" }, { cookie: "" });
  assert.equal(limited.status, 429);
  assert.match(await limited.text(), /Too many failed sign-ins; try again in 5 minutes/);
  assert.equal((await post("/login", { email: "a", password: "right" }, { cookie: "", origin: "https://evil.example" })).status, 403);
});

test("behind HTTPS the cookie is Secure with the __Host- prefix", async () => {
  const app = createConsole({ directory, logger: pino({ level: "silent" }), assetsFolder, publicUrl: "https://console.example.com" });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://console.example.com" },
      body: new URLSearchParams({ email: "ops@example.com", password: "right" }),
    });
    assert.match(response.headers.get("set-cookie") ?? "", /^__Host-scimgw_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Secure$/);
  } finally {
    server.close();
  }
});

test("behind a trusted proxy that says https, the cookie is Secure too; an untrusted proxy's word is ignored", async () => {
  for (const trustProxy of [true, false]) {
    const app = createConsole({ directory, logger: pino({ level: "silent" }), assetsFolder, trustProxy });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/login`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-forwarded-proto": "https",
          origin: trustProxy ? `https://127.0.0.1:${port}` : `http://127.0.0.1:${port}`,
        },
        body: new URLSearchParams({ email: "ops@example.com", password: "right" }),
      });
      assert.equal(response.status, 303);
      assert.equal(/; Secure$/.test(response.headers.get("set-cookie") ?? ""), trustProxy);
    } finally {
      server.close();
    }
  }
});

test("each caller has a request budget, assets aside, and a setup link a budget of keys", async () => {
  const app = createConsole({
    directory,
    logger: pino({ level: "silent" }),
    assetsFolder,
    requestLimit: { requests: 3, seconds: 60 },
    setupKeyLimit: { requests: 1, seconds: 3600 },
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${origin}/login`)).status, 200);
    assert.equal((await fetch(`${origin}/assets/console.css`)).status, 200, "assets are not counted");
    const refused = await fetch(`${origin}/login`);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.match(await refused.text(), /Too many requests\. Try again in \d+ seconds?\./);
    // A signed-in operator counts against the session, not the address.
    assert.equal((await fetch(`${origin}/tenants`, { headers: { cookie } })).status, 200);

    const issue = () =>
      fetch(`${origin}/setup/unknown-token-0000000/okta/key`, {
        method: "POST",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body: "",
      });
    assert.equal((await issue()).status, 404, "the first key request reaches the directory");
    const spent = await issue();
    assert.equal(spent.status, 429);
    assert.match(await spent.text(), /as many keys as it may/);
  } finally {
    server.close();
  }
});

test("setup links: unknown is 404, expired 410, and neither names the tenant", async () => {
  const unknown = await fetch(`${base}/setup/unknown-token-0000000`);
  assert.equal(unknown.status, 404);
  const expired = await fetch(`${base}/setup/expired-token-000000`);
  assert.equal(expired.status, 410);
  assert.match(await expired.text(), /has expired/);
  assert.equal((await fetch(`${base}/setup/<script>`)).status, 404);
});

test("the users page's filter box knows the tenant's extension attributes", async () => {
  listedFilters.length = 0;
  const filter = encodeURIComponent(`${acmeUser}:tier eq "pro"`);
  const response = await fetch(`${base}/tenants/${tenantId}/users?filter=${filter}`, { headers: { cookie } });
  assert.equal(response.status, 200, await response.text());
  assert.equal(listedFilters.length, 1);
  assert.match(
    JSON.stringify(listedFilters[0], (_, value) => (typeof value === "bigint" ? String(value) : value)),
    /acme:2\.0:User/,
  );
  // An attribute the extension does not declare is the operator's to fix, shown as a problem.
  const unknown = encodeURIComponent(`${acmeUser}:nickname eq "x"`);
  assert.equal((await fetch(`${base}/tenants/${tenantId}/users?filter=${unknown}`, { headers: { cookie } })).status, 400);
});

test("the change feed page opens on the tenant's latest 100 changes, and starts where it is asked to", async () => {
  const followedAfter = async (query: string) => {
    const page = await (await fetch(`${base}/tenants/${tenantId}/changes${query}`, { headers: { cookie } })).text();
    return /data-live-changes="[^"]*\/changes\/stream\?after=(\d+)"/.exec(page)?.[1];
  };
  latestChange = 250n;
  assert.equal(await followedAfter(""), "150", "after a large import, not from the first change");
  assert.equal(await followedAfter("?after=7"), "7");
  assert.equal(await followedAfter("?after=0"), "0", "from the first change when asked");
  latestChange = 40n;
  assert.equal(await followedAfter(""), "0", "a tenant with fewer changes shows them all");
});

test("a change feed view whose start was pruned goes on from the oldest change kept, or the latest, and says so", async () => {
  /** The stream's text until `done` holds of it. */
  const streamed = async (after: string, done: (text: string) => boolean) => {
    const controller = new AbortController();
    const response = await fetch(`${base}/tenants/${tenantId}/changes/stream?after=${after}`, {
      headers: { cookie },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = "";
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    return text;
  };
  const seqs = (text: string) => [...text.matchAll(/event: change\ndata: \{"seq":"(\d+)"/g)].map((match) => Number(match[1]));

  latestChange = 202n;
  oldestKept = 200n;
  const fromOldest = await streamed("0", (text) => text.includes('"seq":"202"'));
  assert.match(fromOldest, /event: notice\ndata: \{"message":"Live from change 200: the changes before it are no longer kept/);
  assert.deepEqual(seqs(fromOldest), [200, 201, 202]);

  oldestKept = undefined;
  const fromLatest = await streamed("150", (text) => text.includes("event: notice"));
  assert.match(fromLatest, /"message":"Live from change 203: /, "nothing is kept: what comes next");
  assert.deepEqual(seqs(fromLatest), []);

  oldestKept = 1n;
  const kept = await streamed("200", (text) => text.includes('"seq":"202"'));
  assert.doesNotMatch(kept, /event: notice/, "a start that is kept is served as asked");
  assert.deepEqual(seqs(kept), [201, 202]);
});
