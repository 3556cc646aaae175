// Service credentials through the real gRPC server: every call needs one, its scope decides
// whether the call may write, and revocation bites within the cache period; on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Metadata, ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import type { Knex } from "knex";
import {
  ActivityService,
  ApiKeyService,
  ChangeService,
  EntitlementService,
  GroupService,
  OperatorService,
  SchemaService,
  SetupLinkService,
  TenantService,
  UserService,
  ErrorReason,
} from "@scimgw/proto";
import { Code, createClient, createTransport, RpcError } from "@scimgw/grpc";
import { create } from "@bufbuild/protobuf";
import { UserSchema } from "@scimgw/proto";
import { createDirectoryServer } from "../create-directory-server.js";
import { createUserStore } from "../users/user-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { bearer } from "./bearer.js";
import { createCallAuthorizer } from "./call-authorizer.js";
import { hashSecret } from "../secrets/secret.js";
import { requiredScopeOf, scopeAllows } from "./required-scopes.js";
import { createServiceCredentialStore, scopes, type ServiceCredentialStore } from "./service-credential-store.js";

const refusedWith = (code: number, reason: string) => (error: unknown) => {
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(ErrorReason[error.reason], reason);
  return true;
};

async function listen(server: Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return `127.0.0.1:${port}`;
}

test("every RPC of every service has a required scope, and the table names no method that does not exist", () => {
  const methods = [
    UserService,
    GroupService,
    ChangeService,
    ApiKeyService,
    ActivityService,
    TenantService,
    OperatorService,
    SetupLinkService,
    EntitlementService,
    SchemaService,
  ].flatMap((service) => service.methods.map((method) => `${service.typeName}/${method.name}`));
  for (const method of methods) assert.ok(requiredScopeOf(method), `${method} has no required scope`);
  assert.equal(requiredScopeOf("scimgw.directory.v1.UserService/NoSuchMethod"), undefined);
  assert.equal(requiredScopeOf("toString"), undefined);
});

test("scopes are ranked: admin includes read-write, which includes read-only", () => {
  assert.deepEqual(
    scopes.map((granted) => scopes.filter((required) => scopeAllows(granted, required))),
    [["read-only"], ["read-only", "read-write"], ["read-only", "read-write", "admin"]],
  );
});

test("a flood of unknown tokens does not evict live credentials from the cache; the Bearer scheme is case-insensitive", async () => {
  const lookups = new Map<string, number>();
  const live = hashSecret("scimgw_svc_live");
  const store = {
    async verify(sha256: string) {
      lookups.set(sha256, (lookups.get(sha256) ?? 0) + 1);
      return sha256 === live
        ? {
            id: "c1",
            name: "gateway",
            scope: "read-write" as const,
            tenants: "all" as const,
            createdAt: "",
            lastUsedAt: null,
            revokedAt: null,
          }
        : undefined;
    },
  } as unknown as ServiceCredentialStore;
  const authorize = createCallAuthorizer(store, { cacheMs: 60_000 });
  const call = (authorization: string) => {
    const metadata = new Metadata();
    metadata.set("authorization", authorization);
    return authorize({
      metadata,
      method: "scimgw.directory.v1.UserService/GetUser",
      signal: new AbortController().signal,
      deadline: undefined,
      peer: "test",
    });
  };
  await call("Bearer scimgw_svc_live");
  for (let i = 0; i < 20_000; i++) await call(`Bearer scimgw_svc_random${i}`).catch(() => undefined);
  await call("bearer scimgw_svc_live");
  assert.equal(lookups.get(live), 1, "the live credential was verified once and stayed cached");
});

for (const storeUnderTest of storesUnderTest) {
  describe(`service credentials on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let credentials: ServiceCredentialStore;
    let tenantId = "";
    const servers: Server[] = [];

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      credentials = createServiceCredentialStore(db);
      tenantId = (await createTenantStore(db).create("guarded")).id;
    });
    after(async () => {
      for (const server of servers) server.forceShutdown();
      await dispose();
    });

    async function directory(credentialCacheMs: number): Promise<string> {
      const server = createDirectoryServer({ db, logger: pino({ level: "silent" }), credentialCacheMs });
      servers.push(server);
      return listen(server);
    }

    test("stored hashed; listed without secrets; revoking twice is NOT_FOUND", async () => {
      const { secret, info } = await credentials.issue("billing", "read-only", "all");
      assert.match(secret, /^scimgw_svc_[A-Za-z0-9_-]{43}$/);
      const row = await db("service_credentials").where({ id: info.id }).first();
      assert.notEqual(row.secret_sha256, secret);
      assert.doesNotMatch(JSON.stringify(await credentials.list()), new RegExp(secret));
      assert.equal((await credentials.revoke(info.id)).revokedAt !== null, true);
      await assert.rejects(credentials.revoke(info.id), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
    });

    test("no, malformed or unknown credentials are UNAUTHENTICATED; read-only may read but not write", async () => {
      const address = await directory(0);
      const readOnly = (await credentials.issue("search", "read-only", "all")).secret;
      const readWrite = (await credentials.issue("gateway", "read-write", "all")).secret;
      const transports = {
        none: createTransport(address),
        malformed: createTransport(address, { metadata: { authorization: `Basic ${readWrite}` } }),
        unknown: createTransport(address, { metadata: bearer(`${readWrite}x`) }),
        readOnly: createTransport(address, { metadata: bearer(readOnly) }),
        readWrite: createTransport(address, { metadata: bearer(readWrite) }),
      };
      try {
        const users = (transport: keyof typeof transports) => createClient(UserService, transports[transport]);
        await assert.rejects(users("none").getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, "MISSING_SERVICE_CREDENTIAL"));
        await assert.rejects(
          users("malformed").getUser({ tenantId, id: "x" }),
          refusedWith(Code.UNAUTHENTICATED, "MISSING_SERVICE_CREDENTIAL"),
        );
        await assert.rejects(
          users("unknown").getUser({ tenantId, id: "x" }),
          refusedWith(Code.UNAUTHENTICATED, "UNKNOWN_SERVICE_CREDENTIAL"),
        );
        // Streams are guarded before their first message.
        await assert.rejects(
          async () => {
            for await (const _ of createClient(ChangeService, transports.none).watchChanges({ tenantId })) void _;
          },
          refusedWith(Code.UNAUTHENTICATED, "MISSING_SERVICE_CREDENTIAL"),
        );

        // Authenticated and allowed to read: the call runs and fails on its own merits.
        await assert.rejects(users("readOnly").getUser({ tenantId, id: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(users("readOnly").createUser({ tenantId, user: { userName: "ro@example.com" } }), (error: unknown) => {
          refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE")(error);
          assert.equal((error as RpcError).metadata.required, "read-write");
          assert.equal((error as RpcError).metadata.granted, "read-only");
          return true;
        });
        await assert.rejects(
          createClient(ApiKeyService, transports.readOnly).verifyApiKey({ keySha256: "0".repeat(64) }),
          refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
        );
        assert.equal(
          await db("users")
            .where({ tenant_id: tenantId })
            .count({ n: "*" })
            .first()
            .then((r) => Number(r?.n)),
          0,
          "the refused write wrote nothing",
        );

        const { user } = await users("readWrite").createUser({ tenantId, user: { userName: "rw@example.com" } });
        assert.equal((await users("readOnly").getUser({ tenantId, id: user!.id })).user?.userName, "rw@example.com");
        const used = (await credentials.list()).find((c) => c.name === "gateway");
        assert.notEqual(used?.lastUsedAt, null, "use is recorded");
      } finally {
        for (const transport of Object.values(transports)) transport.close();
      }
    });

    test("a credential granted some tenants reads them, and every kind of call about another tenant, or none, is TENANT_NOT_GRANTED", async () => {
      const address = await directory(0);
      const tenants = createTenantStore(db);
      const other = (await tenants.create("not granted")).id;
      const scoped = (await credentials.issue("billing for guarded", "read-write", [tenantId])).secret;
      const everyTenant = (await credentials.issue("gateway for all", "read-write", "all")).secret;
      const transport = createTransport(address, { metadata: bearer(scoped) });
      const allTransport = createTransport(address, { metadata: bearer(everyTenant) });
      try {
        const users = createClient(UserService, transport);
        const notGranted = refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED");
        // Granted: the call runs and answers on its own merits.
        assert.equal((await users.listUsers({ tenantId })).users.length >= 0, true);
        await assert.rejects(users.getUser({ tenantId, id: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        // Another tenant: refused before the handler runs, through unary, list, write and stream calls.
        await assert.rejects(users.getUser({ tenantId: other, id: "x" }), notGranted);
        await assert.rejects(users.listUsers({ tenantId: other }), notGranted);
        await assert.rejects(users.createUser({ tenantId: other, user: { userName: "intruder@example.com" } }), notGranted);
        await assert.rejects(users.getUser({ tenantId: "", id: "x" }), notGranted);
        await assert.rejects(async () => {
          for await (const _ of createClient(ChangeService, transport).watchChanges({ tenantId: other })) void _;
        }, notGranted);
        // A call about no tenant needs an all-tenants credential.
        await assert.rejects(createClient(ApiKeyService, transport).verifyApiKey({ keySha256: "0".repeat(64) }), notGranted);
        await assert.rejects(
          createClient(ApiKeyService, allTransport).verifyApiKey({ keySha256: "0".repeat(64) }),
          refusedWith(Code.UNAUTHENTICATED, "UNKNOWN_API_KEY"),
        );
        await assert.rejects(
          createClient(UserService, allTransport).getUser({ tenantId: other, id: "x" }),
          refusedWith(Code.NOT_FOUND, "NOT_FOUND"),
        );
        const listed = (await credentials.list()).find((c) => c.name === "billing for guarded");
        assert.deepEqual(listed?.tenants, [tenantId]);
        assert.equal((await credentials.list()).find((c) => c.name === "gateway for all")?.tenants, "all");
      } finally {
        transport.close();
        allTransport.close();
      }
    });

    test("a credential from before tenant grants existed keeps reading every tenant", async () => {
      const { secret, info } = await credentials.issue("old", "read-only", [tenantId]);
      // As migration 0011 leaves a row it found: all_tenants true, no grants.
      await db("service_credential_tenants").where({ credential_id: info.id }).delete();
      await db("service_credentials").where({ id: info.id }).update({ all_tenants: true });
      const verified = await credentials.verify(hashSecret(secret));
      assert.equal(verified?.tenants, "all");
    });

    test("an open change stream ends with UNAUTHENTICATED once its credential is revoked, before sending anything more", async () => {
      const address = await directory(0); // streams then re-check every second
      const { secret, info } = await credentials.issue("stream then revoked", "read-only", "all");
      const transport = createTransport(address, { metadata: bearer(secret) });
      const users = createUserStore(db);
      try {
        const first = await users.create(tenantId, create(UserSchema, { userName: "before-revocation@example.com" }));
        const delivered: string[] = [];
        const following = (async () => {
          for await (const response of createClient(ChangeService, transport).watchChanges({ tenantId }))
            delivered.push(response.event!.resourceId);
        })();
        following.catch(() => undefined); // asserted below
        while (!delivered.includes(first.id)) await new Promise((resolve) => setTimeout(resolve, 20));
        await credentials.revoke(info.id);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const after = await users.create(tenantId, create(UserSchema, { userName: "after-revocation@example.com" }));
        await assert.rejects(following, refusedWith(Code.UNAUTHENTICATED, "UNKNOWN_SERVICE_CREDENTIAL"));
        assert.ok(!delivered.includes(after.id), "nothing written after the revocation reached the revoked stream");
      } finally {
        transport.close();
      }
    });

    test("a revoked credential is refused once the cache period has passed", async () => {
      const address = await directory(300);
      const { secret, info } = await credentials.issue("soon revoked", "read-only", "all");
      const transport = createTransport(address, { metadata: bearer(secret) });
      try {
        const users = createClient(UserService, transport);
        await assert.rejects(users.getUser({ tenantId, id: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await credentials.revoke(info.id);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await assert.rejects(users.getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, "UNKNOWN_SERVICE_CREDENTIAL"));
      } finally {
        transport.close();
      }
    });
  });
}
