// TenantService and ApiKeyService's admin RPCs through the real gRPC server, on every store: the
// admin scope, the tenant grant, each rule of `admin tenants` and `admin keys`, and each tenant's
// health as the console's tenant list shows it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Knex } from "knex";
import { ApiKeyService, GroupSchema, IdentityProvider, TenantService, UserSchema } from "@scimgw/proto";
import { Code, createClient, type Transport } from "@scimgw/grpc";
import { hashApiKey } from "../api-keys/api-key.js";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { createGroupStore } from "../groups/group-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { recordEntry, refusedWith, serveDirectory, type ServedDirectory } from "../test-support/serve-directory.js";
import { createUserStore } from "../users/user-store.js";
import { readTenantHealth, tenantHealthQuery } from "./tenant-health.js";
import { createTenantStore } from "../tenants/tenant-store.js";

const hourMs = 60 * 60 * 1000;

for (const storeUnderTest of storesUnderTest) {
  describe(`TenantService and API key administration on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let directory: ServedDirectory;
    const clientsOf = (transport: Transport) => ({
      tenants: createClient(TenantService, transport),
      keys: createClient(ApiKeyService, transport),
    });
    let admin: ReturnType<typeof clientsOf>;

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      directory = await serveDirectory(db);
      const transport = await directory.connect("admin");
      admin = clientsOf(transport);
    });
    after(async () => {
      directory.close();
      await dispose();
    });

    test("every admin RPC refuses a read-write credential (INSUFFICIENT_SCOPE); a tenant-limited admin only reaches its tenants", async () => {
      const own = await createTenantStore(db).create("scope-own");
      const other = await createTenantStore(db).create("scope-other");
      const readWrite = await directory.connect("read-write");
      const tenants = createClient(TenantService, readWrite);
      const keys = createClient(ApiKeyService, readWrite);
      const calls = [
        () => tenants.listTenants({}),
        () => tenants.getTenant({ tenantId: own.id }),
        () => tenants.createTenant({ name: "never" }),
        () => tenants.renameTenant({ tenantId: own.id, name: "never" }),
        () => tenants.suspendTenant({ tenantId: own.id }),
        () => tenants.resumeTenant({ tenantId: own.id }),
        () => tenants.setTenantRateLimit({ tenantId: own.id }),
        () => keys.issueApiKey({ tenantId: own.id, label: "never" }),
        () => keys.listApiKeys({ tenantId: own.id }),
        () => keys.revokeApiKey({ tenantId: own.id, keyId: "x" }),
      ];
      for (const call of calls)
        await assert.rejects(call(), refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE", { required: "admin" }));
      assert.equal((await createTenantStore(db).resolve(own.id)).suspendedAt, null, "nothing was done");

      const limited = await directory.connect("admin", [own.id]);
      const limitedTenants = createClient(TenantService, limited);
      assert.equal((await limitedTenants.getTenant({ tenantId: own.id })).tenant?.tenant?.name, "scope-own");
      await assert.rejects(limitedTenants.getTenant({ tenantId: other.id }), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
      await assert.rejects(
        createClient(ApiKeyService, limited).issueApiKey({ tenantId: other.id, label: "x" }),
        refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"),
      );
      // Listing and creating name no tenant: they need an all-tenants credential.
      await assert.rejects(limitedTenants.listTenants({}), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
      await assert.rejects(limitedTenants.createTenant({ name: "sneaky" }), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
    });

    test("create, rename, suspend, resume and rate limits follow the tenants store's rules", async () => {
      const created = (await admin.tenants.createTenant({ name: "  lifecycle  " })).tenant;
      assert.equal(created?.name, "lifecycle", "trimmed as the CLI trims");
      assert.ok(created?.createdAt);
      assert.equal(created?.suspendedAt, undefined);
      assert.equal(created?.rateLimit, undefined);
      const id = created?.id ?? "";
      await assert.rejects(
        admin.tenants.createTenant({ name: "lifecycle" }),
        refusedWith(Code.ALREADY_EXISTS, "UNIQUENESS", { attribute: "name" }),
      );
      for (const name of ["", "a\u0007b", "x".repeat(201), "00000000-0000-4000-8000-000000000000"])
        await assert.rejects(admin.tenants.createTenant({ name }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));

      assert.equal((await admin.tenants.renameTenant({ tenantId: id, name: "renamed" })).tenant?.name, "renamed");
      await createTenantStore(db).create("taken");
      await assert.rejects(
        admin.tenants.renameTenant({ tenantId: id, name: "taken" }),
        refusedWith(Code.ALREADY_EXISTS, "UNIQUENESS", { attribute: "name" }),
      );
      await assert.rejects(admin.tenants.renameTenant({ tenantId: id, name: " " }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));

      const suspended = (await admin.tenants.suspendTenant({ tenantId: id })).tenant;
      assert.ok(suspended?.suspendedAt);
      assert.deepEqual(
        (await admin.tenants.suspendTenant({ tenantId: id })).tenant?.suspendedAt,
        suspended?.suspendedAt,
        "suspending again changes nothing",
      );
      assert.equal((await admin.tenants.resumeTenant({ tenantId: id })).tenant?.suspendedAt, undefined);
      assert.equal((await admin.tenants.resumeTenant({ tenantId: id })).tenant?.suspendedAt, undefined);

      const limited = (await admin.tenants.setTenantRateLimit({ tenantId: id, rateLimit: { perSecond: 5, burst: 20 } })).tenant;
      assert.deepEqual([limited?.rateLimit?.perSecond, limited?.rateLimit?.burst], [5, 20]);
      for (const rateLimit of [
        { perSecond: 0, burst: 0 },
        { perSecond: 10, burst: 9 },
      ])
        await assert.rejects(
          admin.tenants.setTenantRateLimit({ tenantId: id, rateLimit }),
          refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"),
        );
      assert.equal((await admin.tenants.setTenantRateLimit({ tenantId: id })).tenant?.rateLimit, undefined, "unset removes the limit");

      // Tenants are named by id only; a name is NOT_FOUND, as is an unknown id.
      const unknown = "00000000-0000-4000-8000-000000000000";
      for (const tenantId of [unknown, "renamed"]) {
        await assert.rejects(admin.tenants.getTenant({ tenantId }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(admin.tenants.suspendTenant({ tenantId }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(admin.tenants.resumeTenant({ tenantId }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(admin.tenants.renameTenant({ tenantId, name: "x" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
        await assert.rejects(admin.tenants.setTenantRateLimit({ tenantId }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      }
    });

    test("each tenant's health: last request and IdP, 24 h requests and failures, users, groups and live keys", async () => {
      const tenants = createTenantStore(db);
      const busy = await tenants.create("health-busy");
      const idle = await tenants.create("health-idle");
      const now = Date.now();
      await recordEntry(db, busy.id, { status: 200, startedAtMs: now - 30 * hourMs, identityProvider: IdentityProvider.OKTA });
      await recordEntry(db, busy.id, { status: 201, startedAtMs: now - 2 * hourMs, identityProvider: IdentityProvider.OKTA });
      await recordEntry(db, busy.id, { status: 409, startedAtMs: now - hourMs, identityProvider: IdentityProvider.OKTA });
      await recordEntry(db, busy.id, { status: 503, startedAtMs: now - 60_000, identityProvider: IdentityProvider.ENTRA });
      await recordEntry(db, busy.id, { status: 404, startedAtMs: now - 25 * hourMs, identityProvider: IdentityProvider.OKTA });
      const users = createUserStore(db);
      for (const userName of ["a@x.com", "b@x.com", "c@x.com"]) await users.create(busy.id, create(UserSchema, { userName }));
      await users.create(idle.id, create(UserSchema, { userName: "a@x.com" }));
      await createGroupStore(db).create(busy.id, create(GroupSchema, { displayName: "Engineering" }));
      const keys = createApiKeyStore(db);
      await keys.issue(busy.id, "okta");
      const revoked = await keys.issue(busy.id, "old");
      await keys.revoke(busy.id, revoked.info.id);

      const listed = (await admin.tenants.listTenants({})).tenants;
      const names = listed.map((summary) => summary.tenant?.name ?? "");
      assert.deepEqual(names, [...names].sort(), "ordered by name");
      const busyHealth = listed.find((summary) => summary.tenant?.id === busy.id)?.health;
      assert.equal(busyHealth?.requests24h, 3, "the two entries older than 24 h are not counted");
      assert.equal(busyHealth?.failures24h, 2, "409 and 503");
      assert.equal(busyHealth?.lastIdentityProvider, IdentityProvider.ENTRA);
      assert.ok(busyHealth?.lastRequestAt);
      assert.ok(Math.abs(timestampDate(busyHealth.lastRequestAt).getTime() - (now - 60_000)) < 2, "the latest entry's time");
      assert.deepEqual([busyHealth?.userCount, busyHealth?.groupCount, busyHealth?.liveApiKeyCount], [3n, 1n, 1]);
      assert.equal(busyHealth?.lastChangeSeq, 4n, "three creates of users and one of a group: the feed's latest");

      const idleHealth = listed.find((summary) => summary.tenant?.id === idle.id)?.health;
      assert.equal(idleHealth?.lastRequestAt, undefined);
      assert.equal(idleHealth?.lastIdentityProvider, IdentityProvider.UNSPECIFIED);
      assert.deepEqual([idleHealth?.requests24h, idleHealth?.failures24h, idleHealth?.userCount, idleHealth?.groupCount], [0, 0, 1n, 0n]);
      assert.equal(idleHealth?.lastChangeSeq, 1n);

      const one = (await admin.tenants.getTenant({ tenantId: busy.id })).tenant;
      assert.equal(one?.tenant?.name, "health-busy");
      assert.deepEqual(one?.health, busyHealth, "GetTenant reads the same health as the listing");
    });

    test("the health listing is one statement whose activity reads are index seeks, not scans", async () => {
      const statements: string[] = [];
      const onQuery = (query: { sql: string }) => statements.push(query.sql);
      db.on("query", onQuery);
      try {
        await readTenantHealth(db);
      } finally {
        db.off("query", onQuery);
      }
      assert.equal(statements.length, 1, "one statement for every tenant");
      const sql = tenantHealthQuery(db).toQuery();
      if (storeUnderTest.name === "sqlite") {
        const plan: string[] = (await db.raw(`explain query plan ${sql}`)).map((row: { detail: string }) => row.detail);
        // Only the tenants themselves are walked (their rows: last_change_seq and the user and group
        // counts are columns of them); every other table is searched by tenant.
        assert.deepEqual(
          plan.filter((line) => line.startsWith("SCAN")).map((line) => line.split(" ", 2)[1]),
          ["t"],
          plan.join("\n"),
        );
        assert.equal(plan.filter((line) => /^SEARCH \w+ USING .*INDEX .*\(tenant_id=\?/.test(line)).length, 5, plan.join("\n"));
      } else {
        const plan = await db.transaction(async (trx) => {
          // PostgreSQL plans tables this small with sequential scans; without them it shows what it uses at scale.
          await trx.raw("set local enable_seqscan = off");
          return (await trx.raw(`explain ${sql}`)).rows.map((row: Record<string, string>) => Object.values(row)[0]) as string[];
        });
        assert.equal(plan.filter((line) => /Index Cond: \(+(\(tenant_id\)::text|tenant_id) = /.test(line)).length, 5, plan.join("\n"));
      }
    });

    test("keys: issued once with the label rule, listed newest first without secrets, revoked idempotently", async () => {
      const tenant = await createTenantStore(db).create("keys");
      const other = await createTenantStore(db).create("keys-other");
      const first = await admin.keys.issueApiKey({ tenantId: tenant.id, label: " okta-prod " });
      assert.match(first.key, /^scimgw_/);
      assert.equal(first.apiKey?.label, "okta-prod");
      assert.equal(first.apiKey?.tenantId, tenant.id);
      const verified = await createApiKeyStore(db).verify(hashApiKey(first.key));
      assert.equal(verified?.status, "valid", "the secret works at once");
      const second = await admin.keys.issueApiKey({ tenantId: tenant.id, label: "entra" });
      for (const label of ["", "   ", "x".repeat(65), "tab\there"])
        await assert.rejects(admin.keys.issueApiKey({ tenantId: tenant.id, label }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      assert.equal((await admin.keys.issueApiKey({ tenantId: tenant.id, label: "x".repeat(64) })).apiKey?.label.length, 64);
      await assert.rejects(
        admin.keys.issueApiKey({ tenantId: "00000000-0000-4000-8000-000000000000", label: "x" }),
        refusedWith(Code.NOT_FOUND, "NOT_FOUND"),
      );
      await assert.rejects(admin.keys.issueApiKey({ tenantId: "", label: "x" }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"));

      const listed = (await admin.keys.listApiKeys({ tenantId: tenant.id })).apiKeys;
      assert.deepEqual(
        listed.map((key) => key.label),
        ["x".repeat(64), "entra", "okta-prod"],
        "newest first",
      );
      assert.ok(listed.find((key) => key.id === first.apiKey?.id)?.lastUsedAt, "last use is shown");
      assert.doesNotMatch(
        JSON.stringify(listed, (_, value) => (typeof value === "bigint" ? String(value) : value)),
        /scimgw_/,
      );

      const revoked = (await admin.keys.revokeApiKey({ tenantId: tenant.id, keyId: second.apiKey?.id ?? "" })).apiKey;
      assert.ok(revoked?.revokedAt);
      assert.deepEqual(
        (await admin.keys.revokeApiKey({ tenantId: tenant.id, keyId: second.apiKey?.id ?? "" })).apiKey,
        revoked,
        "revoking again returns it unchanged",
      );
      assert.deepEqual(
        (await admin.keys.listApiKeys({ tenantId: tenant.id })).apiKeys.map((key) => key.label),
        ["x".repeat(64), "okta-prod"],
        "revoked keys are left out by default",
      );
      assert.equal((await admin.keys.listApiKeys({ tenantId: tenant.id, includeRevoked: true })).apiKeys.length, 3);
      // A key is only ever revoked through its own tenant.
      await assert.rejects(
        admin.keys.revokeApiKey({ tenantId: other.id, keyId: first.apiKey?.id ?? "" }),
        refusedWith(Code.NOT_FOUND, "NOT_FOUND"),
      );
      await assert.rejects(admin.keys.revokeApiKey({ tenantId: tenant.id, keyId: "nope" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      assert.equal((await createApiKeyStore(db).verify(hashApiKey(first.key)))?.status, "valid");
    });
  });
}
