// A tenant's extensions through the gateway in process, over real HTTP, against a fake directory
// that records its calls: writes carry the revision of the types they were built by, a write
// refused as SCHEMA_CHANGED is rebuilt from its body by the newer types, discovery lists the
// tenant's extensions, and a tenant without extensions never costs a ListSchemaExtensions call.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ErrorReason, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import {
  ExtendedResourceType,
  ResourceMetaSchema,
  type SchemaAttributeSchema,
  SchemaAttributeType,
  SchemaExtensionSchema,
  UserSchema,
  type User,
} from "@scimgw/proto";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";

const acmeUser = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const userUrn = "urn:ietf:params:scim:schemas:core:2.0:User";

function fakeDirectory() {
  const calls: Array<{ method: string; request: Record<string, unknown> }> = [];
  // Per key: the tenant and the schema revision its verification carries.
  const keys = new Map<string, { tenantId: string; revision: bigint }>();
  const tenants = new Map<string, { revision: bigint; attributes: MessageInitShape<typeof SchemaAttributeSchema>[] }>();
  const record = (method: string, request: Record<string, unknown>) => calls.push({ method, request });
  const checkRevision = (tenantId: string, sent: bigint) => {
    const current = tenants.get(tenantId)?.revision ?? 0n;
    if (sent !== 0n && sent !== current)
      throw new RpcError(Code.FAILED_PRECONDITION, `schema revision ${sent} is not the current ${current}`, {
        reason: ErrorReason.SCHEMA_CHANGED,
      });
  };
  const stored = (user: User) =>
    create(UserSchema, { ...user, id: "u1", meta: create(ResourceMetaSchema, { version: 1n, created: timestampFromDate(new Date()) }) });
  const directory = {
    apiKeys: {
      async verifyApiKey({ keySha256 }: { keySha256: string }) {
        const key = [...keys.entries()].find(([hash]) => hash === keySha256)?.[1] ?? { tenantId: "plain", revision: 0n };
        return { tenantId: key.tenantId, keyId: keySha256.slice(0, 8), keyLabel: "okta", schemaRevision: key.revision };
      },
    },
    schemas: {
      async listSchemaExtensions(request: { tenantId: string }) {
        record("listSchemaExtensions", request);
        const tenant = tenants.get(request.tenantId);
        if (tenant === undefined) return { schemaRevision: 0n, extensions: [] };
        return {
          schemaRevision: tenant.revision,
          extensions: [
            create(SchemaExtensionSchema, {
              id: acmeUser,
              name: "AcmeUser",
              description: "Acme's own attributes",
              resourceType: ExtendedResourceType.USER,
              attributes: tenant.attributes,
            }),
          ],
        };
      },
    },
    users: {
      async createUser(request: { tenantId: string; user: User; schemaRevision: bigint }) {
        record("createUser", request);
        checkRevision(request.tenantId, request.schemaRevision);
        return { user: stored(request.user) };
      },
      async replaceUser(request: { tenantId: string; user: User; schemaRevision: bigint }) {
        record("replaceUser", request);
        checkRevision(request.tenantId, request.schemaRevision);
        return { user: stored(request.user) };
      },
      async patchUser(request: { tenantId: string; schemaRevision: bigint }) {
        record("patchUser", request);
        checkRevision(request.tenantId, request.schemaRevision);
        return { user: stored(create(UserSchema, { userName: "patched" })) };
      },
    },
    groups: {},
    entitlements: { listEntitlementTypes: async () => ({ types: [] }) },
    close() {},
  };
  return {
    directory: directory as unknown as DirectoryClient,
    callsOf: (method: string) => calls.filter((call) => call.method === method),
    reset: () => (calls.length = 0),
    key(keySha256: string, tenantId: string, revision: bigint) {
      keys.set(keySha256, { tenantId, revision });
    },
    tenant(tenantId: string, revision: bigint, ...names: string[]) {
      tenants.set(tenantId, { revision, attributes: names.map((name) => ({ name, type: SchemaAttributeType.STRING })) });
    },
  };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("per-tenant schemas over a fake directory", () => {
  const fake = fakeDirectory();
  let server: Server;
  let base = "";
  const send = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
  };
  const acmeKey = "acme-key-0123456789abcdef";
  const plainKey = "plain-key-0123456789abcdef";

  before(async () => {
    fake.key(sha256(acmeKey), "acme", 1n);
    fake.tenant("acme", 1n, "tier");
    const app = createGateway({
      ...testGatewayOptions(fake.directory),
      // Long, so the key's verification (and its revision) stays cached through each test.
      apiKeyCache: { ttlMs: 600_000, negativeTtlMs: 1000, maxEntries: 10 },
      isResourceId: () => true,
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${scimRoot}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => fake.reset());

  test("a tenant without extensions: writes send revision 0 and no ListSchemaExtensions call is made", async () => {
    const created = await send("POST", "/Users", plainKey, { schemas: [userUrn], userName: "a@example.com" });
    assert.equal(created.status, 201);
    assert.equal(fake.callsOf("createUser")[0]?.request.schemaRevision, 0n);
    const discovered = await send("GET", "/Schemas", plainKey);
    assert.ok(!discovered.body.Resources.some((schema: { id: string }) => schema.id === acmeUser));
    assert.deepEqual(fake.callsOf("listSchemaExtensions"), []);
  });

  test("the tenant's extension is normalised, sent typed under its URN with the revision, and read once", async () => {
    const body = { schemas: [userUrn, acmeUser], userName: "b@example.com", [acmeUser]: { tier: "gold", unknown: "dropped" } };
    const created = await send("POST", "/Users", acmeKey, body);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body[acmeUser], { tier: "gold" });
    assert.deepEqual(created.body.schemas, [userUrn, acmeUser]);
    const sent = fake.callsOf("createUser")[0]?.request as { user: User; schemaRevision: bigint };
    assert.equal(sent.schemaRevision, 1n);
    // Struct fields are plain JSON objects in protobuf-es.
    assert.deepEqual(sent.user.extensions, { [acmeUser]: { tier: "gold" } });
    await send("PUT", "/Users/u1", acmeKey, body);
    assert.equal(fake.callsOf("replaceUser")[0]?.request.schemaRevision, 1n);
    assert.equal(fake.callsOf("listSchemaExtensions").length, 1);
  });

  test("SCHEMA_CHANGED: the gateway reads the tenant's schemas again and sends the write once more, the new attribute kept", async () => {
    fake.tenant("acme", 2n, "tier", "region");
    const body = { schemas: [userUrn, acmeUser], userName: "c@example.com", [acmeUser]: { tier: "gold", region: "eu" } };
    const created = await send("POST", "/Users", acmeKey, body);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body[acmeUser], { tier: "gold", region: "eu" });
    const attempts = fake.callsOf("createUser").map((call) => call.request.schemaRevision);
    assert.deepEqual(attempts, [1n, 2n]);
    // A PATCH refused the same way is sent again too.
    fake.tenant("acme", 3n, "tier", "region", "site");
    const patched = await send("PATCH", "/Users/u1", acmeKey, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: `${acmeUser}:site`, value: "hq" }],
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      fake.callsOf("patchUser").map((call) => call.request.schemaRevision),
      [2n, 3n],
    );
  });

  test("discovery with the tenant's key lists its extension in /Schemas and in User's schemaExtensions", async () => {
    const schemas = await send("GET", "/Schemas", acmeKey);
    const extension = schemas.body.Resources.find((schema: { id: string }) => schema.id === acmeUser);
    assert.equal(extension?.name, "AcmeUser");
    assert.equal((await send("GET", `/Schemas/${acmeUser}`, acmeKey)).body.id, acmeUser);
    const user = (await send("GET", "/ResourceTypes/User", acmeKey)).body;
    assert.deepEqual(user.schemaExtensions.at(-1), { schema: acmeUser, required: false });
    const anonymous = await fetch(`${base}/Schemas/${acmeUser}`);
    assert.equal(anonymous.status, 404);
  });
});
