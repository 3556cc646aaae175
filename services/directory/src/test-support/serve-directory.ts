import assert from "node:assert/strict";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import type { Knex } from "knex";
import { ErrorReason, IdentityProvider, ScimRequestSchema } from "@scimgw/proto";
import { createTransport, RpcError, type Transport } from "@scimgw/grpc";
import { activityRowOf } from "../activity/activity-row.js";
import { createActivityStore } from "../activity/activity-store.js";
import { createDirectoryServer, type DirectoryDependencies } from "../create-directory-server.js";
import { bearer } from "../service-credentials/bearer.js";
import { createServiceCredentialStore, type Scope, type TenantGrant } from "../service-credentials/service-credential-store.js";

/** The real directory server on a loopback port, and transports that present credentials to it. */
export interface ServedDirectory {
  server: Server;
  /** A transport presenting a new credential of that scope and grant (closed by `close`). */
  connect(scope: Scope, tenants?: TenantGrant): Promise<Transport>;
  close(): void;
}

export async function serveDirectory(db: Knex, options: Partial<DirectoryDependencies> = {}): Promise<ServedDirectory> {
  const server = createDirectoryServer({ db, logger: pino({ level: "silent" }), credentialCacheMs: 0, ...options });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const transports: Transport[] = [];
  return {
    server,
    async connect(scope, tenants = "all") {
      const { secret } = await createServiceCredentialStore(db).issue(`test ${scope}`, scope, tenants);
      const transport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
      transports.push(transport);
      return transport;
    },
    close() {
      for (const transport of transports) transport.close();
      server.forceShutdown();
    },
  };
}

/** An assert.rejects check: an RpcError with that code and reason (by name), and metadata that includes `metadata`. */
export const refusedWith =
  (code: number, reason: string, metadata: Record<string, string> = {}) =>
  (error: unknown) => {
    assert.ok(error instanceof RpcError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(ErrorReason[error.reason], reason, error.message);
    for (const [key, value] of Object.entries(metadata)) assert.equal(error.metadata[key], value, `metadata ${key}`);
    return true;
  };

/** Appends an activity entry to a tenant's log as the gateway would record it. */
export async function recordEntry(
  db: Knex,
  tenantId: string,
  entry: { status: number; startedAtMs?: number; identityProvider?: IdentityProvider; path?: string },
): Promise<void> {
  const request = create(ScimRequestSchema, {
    requestId: `req-${Math.random()}`,
    keyId: "key-1",
    keyLabel: "okta-prod",
    identityProvider: entry.identityProvider ?? IdentityProvider.OKTA,
    method: "GET",
    path: entry.path ?? "/Users",
    startedAt: timestampFromMs(entry.startedAtMs ?? Date.now()),
  });
  await createActivityStore(db).append([
    activityRowOf(tenantId, request, {
      resourceType: "User",
      resourceId: "",
      status: entry.status,
      scimType: "",
      detail: "",
      latencyMs: 1,
    }),
  ]);
}
