// Service credentials through the real gRPC server: every call needs one, its scope decides
// whether the call may write, and revocation bites within the cache period; on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import type { Knex } from "knex";
import { ApiKeyService, ChangeService, GroupService, UserService } from "@scimgw/proto";
import { Code, createClient, createTransport, RpcError } from "@scimgw/grpc";
import { createDirectoryServer } from "../create-directory-server.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { bearer } from "./bearer.js";
import { authorizationReason } from "./call-authorizer.js";
import { requiredScopeOf } from "./required-scopes.js";
import { createServiceCredentialStore, type ServiceCredentialStore } from "./service-credential-store.js";

const refusedWith = (code: number, reason: string) => (error: unknown) => {
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(error.reason, reason);
  return true;
};

async function listen(server: Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return `127.0.0.1:${port}`;
}

test("every RPC of every service has a required scope, and the table names no method that does not exist", () => {
  const methods = [UserService, GroupService, ChangeService, ApiKeyService].flatMap((service) => service.methods.map((method) => `${service.typeName}/${method.name}`));
  for (const method of methods) assert.ok(requiredScopeOf(method), `${method} has no required scope`);
  assert.equal(requiredScopeOf("scimgw.directory.v1.UserService/NoSuchMethod"), undefined);
  assert.equal(requiredScopeOf("toString"), undefined);
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
      const { secret, info } = await credentials.issue("billing", "read-only");
      assert.match(secret, /^scimgw_svc_[A-Za-z0-9_-]{43}$/);
      const row = await db("service_credentials").where({ id: info.id }).first();
      assert.notEqual(row.secret_sha256, secret);
      assert.doesNotMatch(JSON.stringify(await credentials.list()), new RegExp(secret));
      assert.equal((await credentials.revoke(info.id)).revokedAt !== null, true);
      await assert.rejects(credentials.revoke(info.id), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
    });

    test("no, malformed or unknown credentials are UNAUTHENTICATED; read-only may read but not write", async () => {
      const address = await directory(0);
      const readOnly = (await credentials.issue("search", "read-only")).secret;
      const readWrite = (await credentials.issue("gateway", "read-write")).secret;
      const transports = {
        none: createTransport(address),
        malformed: createTransport(address, { metadata: { authorization: `Basic ${readWrite}` } }),
        unknown: createTransport(address, { metadata: bearer(`${readWrite}x`) }),
        readOnly: createTransport(address, { metadata: bearer(readOnly) }),
        readWrite: createTransport(address, { metadata: bearer(readWrite) }),
      };
      try {
        const users = (transport: keyof typeof transports) => createClient(UserService, transports[transport]);
        await assert.rejects(users("none").getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, authorizationReason.missingCredential));
        await assert.rejects(users("malformed").getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, authorizationReason.missingCredential));
        await assert.rejects(users("unknown").getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, authorizationReason.unknownCredential));
        // Streams are guarded before their first message.
        await assert.rejects(async () => {
          for await (const _ of createClient(ChangeService, transports.none).watchChanges({ tenantId })) void _;
        }, refusedWith(Code.UNAUTHENTICATED, authorizationReason.missingCredential));

        // Authenticated and allowed to read: the call runs and fails on its own merits.
        await assert.rejects(users("readOnly").getUser({ tenantId, id: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(users("readOnly").createUser({ tenantId, user: { userName: "ro@example.com" } }), (error: unknown) => {
          refusedWith(Code.PERMISSION_DENIED, authorizationReason.insufficientScope)(error);
          assert.equal((error as RpcError).metadata.required, "read-write");
          assert.equal((error as RpcError).metadata.granted, "read-only");
          return true;
        });
        await assert.rejects(createClient(ApiKeyService, transports.readOnly).verifyApiKey({ keySha256: "0".repeat(64) }), refusedWith(Code.PERMISSION_DENIED, authorizationReason.insufficientScope));
        assert.equal(await db("users").where({ tenant_id: tenantId }).count({ n: "*" }).first().then((r) => Number(r?.n)), 0, "the refused write wrote nothing");

        const { user } = await users("readWrite").createUser({ tenantId, user: { userName: "rw@example.com" } });
        assert.equal((await users("readOnly").getUser({ tenantId, id: user!.id })).user?.userName, "rw@example.com");
        const used = (await credentials.list()).find((c) => c.name === "gateway");
        assert.notEqual(used?.lastUsedAt, null, "use is recorded");
      } finally {
        for (const transport of Object.values(transports)) transport.close();
      }
    });

    test("a revoked credential is refused once the cache period has passed", async () => {
      const address = await directory(300);
      const { secret, info } = await credentials.issue("soon revoked", "read-only");
      const transport = createTransport(address, { metadata: bearer(secret) });
      try {
        const users = createClient(UserService, transport);
        await assert.rejects(users.getUser({ tenantId, id: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await credentials.revoke(info.id);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await assert.rejects(users.getUser({ tenantId, id: "x" }), refusedWith(Code.UNAUTHENTICATED, authorizationReason.unknownCredential));
      } finally {
        transport.close();
      }
    });
  });
}
