import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ExtendedResourceType, SchemaAttributeType, SchemaExtensionSchema, type SchemaExtension } from "@scimgw/proto";
import { userResourceType } from "@scimgw/scim";
import { builtInSchemas, createTenantSchemaCache, tenantSchemasOf } from "./tenant-schemas.js";

const acmeUser = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const acmeGroup = "urn:ietf:params:scim:schemas:extension:acme:2.0:Group";

function extension(id: string, resourceType: ExtendedResourceType, attribute: string): SchemaExtension {
  return create(SchemaExtensionSchema, {
    id,
    name: "Acme",
    resourceType,
    attributes: [{ name: attribute, type: SchemaAttributeType.STRING }],
  });
}

/** A directory whose tenants' schemas the test sets, counting ListSchemaExtensions calls. */
function harness() {
  const tenants = new Map<string, { revision: bigint; extensions: SchemaExtension[] }>();
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let now = 0;
  const cache = createTenantSchemaCache(
    async (tenantId) => {
      calls.push(tenantId);
      if (release !== undefined) await new Promise<void>((resolve) => (release = resolve));
      const tenant = tenants.get(tenantId) ?? { revision: 0n, extensions: [] };
      return { schemaRevision: tenant.revision, extensions: tenant.extensions };
    },
    { maxTenants: 2, now: () => now },
  );
  return {
    cache,
    calls,
    set(tenantId: string, revision: bigint, ...extensions: SchemaExtension[]) {
      tenants.set(tenantId, { revision, extensions });
    },
    hold() {
      release = () => {};
    },
    proceed: () => release?.(),
    advance: (ms: number) => (now += ms),
  };
}

test("a ListSchemaExtensions answer becomes the tenant's User and Group types, its extensions after the built-in ones", () => {
  const types = tenantSchemasOf({
    schemaRevision: 3n,
    extensions: [extension(acmeUser, ExtendedResourceType.USER, "tier"), extension(acmeGroup, ExtendedResourceType.GROUP, "region")],
  });
  assert.equal(types.revision, 3n);
  assert.deepEqual(
    types.user.extensions.map((e) => e.schema.id),
    [...userResourceType.extensions.map((e) => e.schema.id), acmeUser],
  );
  assert.deepEqual(
    types.group.extensions.map((e) => e.schema.id),
    [acmeGroup],
  );
  assert.equal(tenantSchemasOf({ schemaRevision: 0n, extensions: [] }), builtInSchemas);
});

test("a tenant at revision 0 with nothing remembered costs no call: the built-in types", async () => {
  const { cache, calls } = harness();
  assert.equal(await cache.get("t1", 0n), builtInSchemas);
  assert.deepEqual(calls, []);
});

test("a revision the cache does not hold is read once, then served from memory for that revision and older ones", async () => {
  const { cache, calls, set } = harness();
  set("t1", 2n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  const types = await cache.get("t1", 2n);
  assert.equal(types.revision, 2n);
  // The key cache's revision is a lower bound: an entry at or above it is current enough.
  assert.equal(await cache.get("t1", 2n), types);
  assert.equal(await cache.get("t1", 1n), types);
  assert.equal(await cache.get("t1", 0n), types);
  assert.deepEqual(calls, ["t1"]);
  set("t1", 3n, extension(acmeUser, ExtendedResourceType.USER, "tier"), extension(acmeGroup, ExtendedResourceType.GROUP, "r"));
  assert.equal((await cache.get("t1", 3n)).revision, 3n);
  assert.deepEqual(calls, ["t1", "t1"]);
});

test("concurrent misses of one tenant share one call", async () => {
  const h = harness();
  h.set("t1", 1n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  h.hold();
  const reads = [h.cache.get("t1", 1n), h.cache.get("t1", 1n), h.cache.reload("t1", 0n)];
  await new Promise((resolve) => setImmediate(resolve));
  h.proceed();
  const [a, b, c] = await Promise.all(reads);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.deepEqual(h.calls, ["t1"]);
});

test("bounded: the least recently used tenant is forgotten first", async () => {
  const { cache, calls, set } = harness();
  for (const tenant of ["t1", "t2", "t3"]) set(tenant, 1n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  await cache.get("t1", 1n);
  await cache.get("t2", 1n);
  await cache.get("t1", 1n); // t1 is now the most recent
  await cache.get("t3", 1n); // evicts t2
  assert.equal(cache.size, 2);
  await cache.get("t1", 1n);
  assert.deepEqual(calls, ["t1", "t2", "t3"]);
  await cache.get("t2", 1n);
  assert.deepEqual(calls, ["t1", "t2", "t3", "t2"]);
});

test("reload reads again after a refused write, unless another request already read a newer revision", async () => {
  const { cache, calls, set } = harness();
  set("t1", 1n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  const stale = await cache.get("t1", 1n);
  set("t1", 2n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  assert.equal((await cache.reload("t1", stale.revision)).revision, 2n);
  assert.equal((await cache.reload("t1", stale.revision)).revision, 2n);
  assert.deepEqual(calls, ["t1", "t1"]);
});

test("recheck reads at most once per interval, also for a tenant at revision 0", async () => {
  const { cache, calls, set, advance } = harness();
  assert.equal((await cache.recheck("t1", 1000)).revision, 0n);
  assert.equal((await cache.recheck("t1", 1000)).revision, 0n);
  assert.deepEqual(calls, ["t1"]);
  set("t1", 1n, extension(acmeUser, ExtendedResourceType.USER, "tier"));
  advance(1000);
  assert.equal((await cache.recheck("t1", 1000)).revision, 1n);
  // Remembered: later requests with the key cache's older revision 0 use it.
  assert.equal((await cache.get("t1", 0n)).revision, 1n);
  assert.deepEqual(calls, ["t1", "t1"]);
});

test("a failed read is not remembered", async () => {
  let fail = true;
  const cache = createTenantSchemaCache(
    async () => {
      if (fail) throw new Error("directory down");
      return { schemaRevision: 1n, extensions: [extension(acmeUser, ExtendedResourceType.USER, "tier")] };
    },
    { maxTenants: 10 },
  );
  await assert.rejects(cache.get("t1", 1n), /directory down/);
  fail = false;
  assert.equal((await cache.get("t1", 1n)).revision, 1n);
});
