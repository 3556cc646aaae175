import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { Code, ErrorReason, RpcError } from "@scimgw/directory-client";
import { ExtendedResourceType, SchemaAttributeType, SchemaExtensionSchema } from "@scimgw/proto";
import { userResourceType } from "@scimgw/scim";
import type { Tenant } from "../auth/authenticate.js";
import { createTenantSchemaCache, tenantSchemasOf } from "./tenant-schemas.js";
import { namesUnknownSchema, writeByTenantSchemas } from "./write-by-tenant-schemas.js";

const acmeUser = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const acme = (revision: bigint) => ({
  schemaRevision: revision,
  extensions: [
    create(SchemaExtensionSchema, {
      id: acmeUser,
      name: "Acme",
      resourceType: ExtendedResourceType.USER,
      attributes: [{ name: "tier", type: SchemaAttributeType.STRING }],
    }),
  ],
});
const tenant = (schemaRevision: bigint): Tenant => ({ tenantId: "t1", keyId: "k1", keyLabel: "okta", schemaRevision });
const schemaChanged = () => new RpcError(Code.FAILED_PRECONDITION, "schema changed", { reason: ErrorReason.SCHEMA_CHANGED });

/** A directory at `revision` (changed by the test), counting ListSchemaExtensions calls. */
function directoryAt(revision: bigint) {
  const state = { revision, lists: 0 };
  const cache = createTenantSchemaCache(
    async () => {
      state.lists += 1;
      return acme(state.revision);
    },
    { maxTenants: 10 },
  );
  return { state, cache };
}

test("namesUnknownSchema: a URN key or `schemas` entry the type does not know; core, known extensions and non-URNs are not", () => {
  const extended = tenantSchemasOf(acme(1n)).user;
  const rows: Array<[unknown, boolean]> = [
    [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "a" }, false],
    [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise], [enterprise]: {} }, false],
    [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", acmeUser] }, true],
    [{ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], [acmeUser.toUpperCase()]: { tier: "gold" } }, true],
    // Entra's group marker is not a URN: the SCIM core tolerates it.
    [{ schemas: ["http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"] }, false],
    ["not an object", false],
  ];
  for (const [body, expected] of rows) assert.equal(namesUnknownSchema(body, userResourceType), expected, JSON.stringify(body));
  assert.equal(namesUnknownSchema({ schemas: [acmeUser], [acmeUser]: {} }, extended), false);
});

test("a write sends the revision of the types it was built by; the hot path makes no schema call", async () => {
  const { state, cache } = directoryAt(0n);
  const sent: bigint[] = [];
  await writeByTenantSchemas(cache, tenant(0n), async (types) => sent.push(types.revision));
  assert.deepEqual(sent, [0n]);
  assert.equal(state.lists, 0);
});

test("SCHEMA_CHANGED: the types are read again and the write is built and sent once more", async () => {
  const { state, cache } = directoryAt(1n);
  await cache.get("t1", 1n);
  state.revision = 2n;
  const sent: bigint[] = [];
  const result = await writeByTenantSchemas(cache, tenant(1n), async (types) => {
    sent.push(types.revision);
    if (types.revision < state.revision) throw schemaChanged();
    return "written";
  });
  assert.equal(result, "written");
  assert.deepEqual(sent, [1n, 2n]);
  assert.equal(state.lists, 2);
});

test("a second SCHEMA_CHANGED is the caller's answer (the status table maps it), not a loop", async () => {
  const { cache } = directoryAt(1n);
  let attempts = 0;
  await assert.rejects(
    writeByTenantSchemas(cache, tenant(1n), async () => {
      attempts += 1;
      throw schemaChanged();
    }),
    (error: unknown) => error instanceof RpcError && error.reason === ErrorReason.SCHEMA_CHANGED,
  );
  assert.equal(attempts, 2);
});

test("other failures are not retried", async () => {
  const { cache } = directoryAt(1n);
  let attempts = 0;
  await assert.rejects(
    writeByTenantSchemas(cache, tenant(1n), async () => {
      attempts += 1;
      throw new RpcError(Code.FAILED_PRECONDITION, "version", { reason: ErrorReason.VERSION_MISMATCH });
    }),
  );
  assert.equal(attempts, 1);
});

test("a body naming an extension the cached view lacks (key cache at revision 0) reads the tenant's types first", async () => {
  const { state, cache } = directoryAt(1n);
  const body = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", acmeUser], [acmeUser]: { tier: "gold" } };
  const sent: bigint[] = [];
  await writeByTenantSchemas(cache, tenant(0n), async (types) => sent.push(types.revision), {
    body: { value: body, resourceType: (types) => types.user },
  });
  assert.deepEqual(sent, [1n]);
  assert.equal(state.lists, 1);
  // Within the interval, a body naming a URN nobody registered costs no further call.
  const unregistered = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:example:other:User"] };
  await writeByTenantSchemas(cache, tenant(0n), async (types) => sent.push(types.revision), {
    body: { value: unregistered, resourceType: (types) => types.user },
  });
  assert.equal(state.lists, 1);
});
