// SetupLinkService through the real gRPC server, on every store: links are created, listed and
// revoked per tenant; a token opens its own tenant and nothing else, and stops at once when
// revoked or expired.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Knex } from "knex";
import { IdentityProvider, SetupLinkService, UserSchema } from "@scimgw/proto";
import { Code, createClient, type Transport } from "@scimgw/grpc";
import { hashApiKey } from "../api-keys/api-key.js";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { createTenantStore, type Tenant } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { recordEntry, refusedWith, serveDirectory, type ServedDirectory } from "../test-support/serve-directory.js";
import { createUserStore } from "../users/user-store.js";

const dayMs = 24 * 60 * 60 * 1000;
const byJson = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v));

for (const storeUnderTest of storesUnderTest) {
  describe(`SetupLinkService on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let directory: ServedDirectory;
    const clientOf = (transport: Transport) => createClient(SetupLinkService, transport);
    let links: ReturnType<typeof clientOf>;
    /** The clock links expire by: tests move it forward. */
    let clock = Date.now();

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      directory = await serveDirectory(db, { setupLinkClock: () => clock });
      links = clientOf(await directory.connect("admin"));
    });
    after(async () => {
      directory.close();
      await dispose();
    });

    const createLink = (tenantId: string, ttlSeconds = 0) => links.createSetupLink({ tenantId, ttlSeconds, createdBy: "ops@example.com" });

    test("a link's token is shown once and kept as a hash; it works for 7 days by default, at most 30", async () => {
      const tenant = await createTenantStore(db).create("links-create");
      const created = await createLink(tenant.id);
      assert.match(created.token, /^scimgw_setup_[A-Za-z0-9_-]{43}$/);
      const link = created.setupLink;
      assert.equal(link?.tenantId, tenant.id);
      assert.equal(link?.createdBy, "ops@example.com");
      assert.equal(link?.revokedAt, undefined);
      assert.ok(link?.createdAt && link.expiresAt);
      assert.equal(timestampDate(link.createdAt).getTime(), clock);
      assert.equal(timestampDate(link.expiresAt).getTime(), clock + 7 * dayMs);
      const stored = await db("setup_links").where({ id: link.id }).first();
      assert.equal(stored.token_sha256, createHash("sha256").update(created.token).digest("hex"));
      assert.doesNotMatch(JSON.stringify(await db("setup_links")), new RegExp(created.token));

      const hour = (await createLink(tenant.id, 3600)).setupLink;
      assert.equal(timestampDate(hour?.expiresAt ?? hour!.createdAt!).getTime(), clock + 3600_000);
      assert.ok(await createLink(tenant.id, 30 * 24 * 3600));
      await assert.rejects(createLink(tenant.id, 30 * 24 * 3600 + 1), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      await assert.rejects(
        links.createSetupLink({ tenantId: tenant.id, createdBy: " " }),
        refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"),
      );
      await assert.rejects(createLink("00000000-0000-4000-8000-000000000000"), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      await assert.rejects(createLink(""), refusedWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"));
    });

    test("a tenant's links are listed newest first, revoked and expired ones too; revoking twice returns the link unchanged", async () => {
      const tenant = await createTenantStore(db).create("links-list");
      const other = await createTenantStore(db).create("links-list-other");
      const first = (await createLink(tenant.id, 60)).setupLink;
      clock += 1000;
      const second = (await createLink(tenant.id)).setupLink;
      clock += 1000;
      await createLink(other.id);
      clock += 120_000; // the first has expired
      const revoked = (await links.revokeSetupLink({ tenantId: tenant.id, setupLinkId: second?.id ?? "" })).setupLink;
      assert.equal(timestampDate(revoked?.revokedAt ?? revoked!.createdAt!).getTime(), clock);
      clock += 1000;
      assert.deepEqual(
        (await links.revokeSetupLink({ tenantId: tenant.id, setupLinkId: second?.id ?? "" })).setupLink,
        revoked,
        "revoking again changes nothing",
      );
      const listed = (await links.listSetupLinks({ tenantId: tenant.id })).setupLinks;
      assert.deepEqual(
        listed.map((link) => link.id),
        [second?.id, first?.id],
      );
      // A link is revoked only through its own tenant.
      await assert.rejects(
        links.revokeSetupLink({ tenantId: other.id, setupLinkId: first?.id ?? "" }),
        refusedWith(Code.NOT_FOUND, "NOT_FOUND"),
      );
      await assert.rejects(links.revokeSetupLink({ tenantId: tenant.id, setupLinkId: "nope" }), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      await assert.rejects(
        links.listSetupLinks({ tenantId: "00000000-0000-4000-8000-000000000000" }),
        refusedWith(Code.NOT_FOUND, "NOT_FOUND"),
      );
    });

    test("an unknown, revoked or expired token is refused by every token RPC, with the reason and when", async () => {
      const tenant = await createTenantStore(db).create("links-refused");
      const tokenCalls = (token: string) => [
        () => links.openSetupLink({ token }),
        () => links.issueSetupApiKey({ token, identityProvider: IdentityProvider.OKTA }),
        () => links.listSetupActivity({ token }),
      ];
      for (const token of ["", "scimgw_setup_unknown"])
        for (const call of tokenCalls(token)) await assert.rejects(call(), refusedWith(Code.UNAUTHENTICATED, "UNKNOWN_SETUP_LINK"));

      const revoked = await createLink(tenant.id);
      assert.equal((await links.openSetupLink({ token: revoked.token })).tenantName, "links-refused");
      const revokedAt = (await links.revokeSetupLink({ tenantId: tenant.id, setupLinkId: revoked.setupLink?.id ?? "" })).setupLink
        ?.revokedAt;
      const revokedIso = timestampDate(revokedAt!).toISOString();
      for (const call of tokenCalls(revoked.token))
        await assert.rejects(call(), refusedWith(Code.UNAUTHENTICATED, "SETUP_LINK_REVOKED", { revoked_at: revokedIso }));

      const expiring = await createLink(tenant.id, 60);
      const expiresIso = timestampDate(expiring.setupLink!.expiresAt!).toISOString();
      clock += 59_999;
      assert.ok((await links.openSetupLink({ token: expiring.token })).setupLink);
      clock += 1;
      for (const call of tokenCalls(expiring.token))
        await assert.rejects(call(), refusedWith(Code.UNAUTHENTICATED, "SETUP_LINK_EXPIRED", { expired_at: expiresIso }));
      assert.equal(
        await createApiKeyStore(db)
          .list(tenant.id)
          .then((keys) => keys.length),
        0,
        "no key was issued",
      );
    });

    test("a token reaches its own tenant and never another's, through every token RPC", async () => {
      const tenants = createTenantStore(db);
      const users = createUserStore(db);
      const setUp = async (name: string): Promise<{ tenant: Tenant; token: string; linkId: string }> => {
        const tenant = await tenants.create(name);
        await users.create(tenant.id, create(UserSchema, { userName: `someone@${name}.example` }));
        await createApiKeyStore(db).issue(tenant.id, `${name} key`);
        const { token, setupLink } = await createLink(tenant.id);
        await recordEntry(db, tenant.id, { status: 201, startedAtMs: clock + 1000, path: `/Users/${name}` });
        return { tenant, token, linkId: setupLink?.id ?? "" };
      };
      const alpha = await setUp("alpha");
      const beta = await setUp("beta");
      for (const [mine, theirs] of [
        [alpha, beta],
        [beta, alpha],
      ] as const) {
        const opened = await links.openSetupLink({ token: mine.token });
        assert.deepEqual([opened.tenantName, opened.setupLink?.tenantId], [mine.tenant.name, mine.tenant.id]);

        const issued = await links.issueSetupApiKey({ token: mine.token, identityProvider: IdentityProvider.ENTRA });
        assert.equal(issued.apiKey?.tenantId, mine.tenant.id);
        assert.equal(issued.apiKey?.label, `entra (setup link ${mine.linkId})`);
        const verified = await createApiKeyStore(db).verify(hashApiKey(issued.key));
        assert.equal(verified?.key.tenantId, mine.tenant.id, "the key works for the link's tenant");

        for (const request of [{ token: mine.token }, { token: mine.token, afterSeq: 0n }]) {
          const listed = await links.listSetupActivity(request);
          assert.deepEqual(
            listed.entries.map((entry) => [entry.tenantId, entry.request?.path]),
            [[mine.tenant.id, `/Users/${mine.tenant.name}`]],
          );
        }
        assert.doesNotMatch(byJson([opened, issued.apiKey]), new RegExp(`${theirs.tenant.id}|${theirs.tenant.name}`));
      }
      for (const identityProvider of [IdentityProvider.OTHER, IdentityProvider.UNSPECIFIED])
        await assert.rejects(
          links.issueSetupApiKey({ token: alpha.token, identityProvider }),
          refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"),
        );
    });

    test("ListSetupActivity leaves out what came before the link, and follows by sequence number as ListActivity does", async () => {
      const tenant = await createTenantStore(db).create("links-activity");
      await recordEntry(db, tenant.id, { status: 200, startedAtMs: clock - 60_000, path: "/before" });
      await recordEntry(db, tenant.id, { status: 200, startedAtMs: clock - 1, path: "/just-before" });
      const { token } = await createLink(tenant.id);
      await recordEntry(db, tenant.id, { status: 200, startedAtMs: clock, path: "/first" });
      await recordEntry(db, tenant.id, { status: 409, startedAtMs: clock + 1000, path: "/second" });
      await recordEntry(db, tenant.id, { status: 201, startedAtMs: clock + 2000, path: "/third" });

      const latest = await links.listSetupActivity({ token });
      assert.deepEqual(
        latest.entries.map((entry) => entry.request?.path),
        ["/third", "/second", "/first"],
        "latest first, nothing from before the link",
      );
      assert.equal(latest.latestSeq, 5n);
      assert.deepEqual(
        (await links.listSetupActivity({ token, pageSize: 2 })).entries.map((entry) => entry.request?.path),
        ["/third", "/second"],
      );
      const followed = await links.listSetupActivity({ token, afterSeq: 0n });
      assert.deepEqual(
        followed.entries.map((entry) => [entry.seq, entry.request?.path]),
        [
          [3n, "/first"],
          [4n, "/second"],
          [5n, "/third"],
        ],
        "oldest first after the sequence number, still nothing from before the link",
      );
      assert.deepEqual(
        (await links.listSetupActivity({ token, afterSeq: 4n })).entries.map((entry) => entry.seq),
        [5n],
      );
      assert.deepEqual((await links.listSetupActivity({ token, afterSeq: 5n })).entries, []);
      await assert.rejects(links.listSetupActivity({ token, afterSeq: -1n }), refusedWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"));
    });

    test("every RPC needs the admin scope; the token RPCs an all-tenants credential, the others a grant of the tenant", async () => {
      const own = await createTenantStore(db).create("links-scope");
      const other = await createTenantStore(db).create("links-scope-other");
      const { token, setupLink } = await createLink(own.id);
      const readWrite = clientOf(await directory.connect("read-write"));
      const calls = (client: typeof links) => [
        () => client.createSetupLink({ tenantId: own.id, createdBy: "x@example.com" }),
        () => client.listSetupLinks({ tenantId: own.id }),
        () => client.revokeSetupLink({ tenantId: own.id, setupLinkId: setupLink?.id ?? "" }),
        () => client.openSetupLink({ token }),
        () => client.issueSetupApiKey({ token, identityProvider: IdentityProvider.OKTA }),
        () => client.listSetupActivity({ token }),
      ];
      for (const call of calls(readWrite)) await assert.rejects(call(), refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));

      const limited = clientOf(await directory.connect("admin", [own.id]));
      assert.equal((await limited.listSetupLinks({ tenantId: own.id })).setupLinks.length, 1);
      await assert.rejects(limited.listSetupLinks({ tenantId: other.id }), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
      await assert.rejects(
        limited.createSetupLink({ tenantId: other.id, createdBy: "x@example.com" }),
        refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"),
      );
      for (const call of calls(limited).slice(3)) await assert.rejects(call(), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
      assert.equal((await db("setup_links").where({ tenant_id: own.id })).length, 1, "nothing was created");
      assert.equal((await createApiKeyStore(db).list(own.id)).length, 0, "no key was issued");
    });
  });
}
