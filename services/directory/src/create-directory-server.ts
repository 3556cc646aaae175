import { Server } from "@grpc/grpc-js";
import type { Knex } from "knex";
import type { Logger } from "pino";
import {
  ActivityService,
  ApiKeyService,
  ChangeService,
  EntitlementService,
  file_google_rpc_error_details,
  file_google_rpc_status,
  GroupService,
  OperatorService,
  SchemaService,
  SetupLinkService,
  TenantService,
  UserService,
} from "@scimgw/proto";
import { addService, directoryMessageLimitOptions, type ServerHooks } from "@scimgw/grpc";
import { createActivityService } from "./activity/activity-service.js";
import { createActivityStore } from "./activity/activity-store.js";
import { defaultActivityOptions, type ActivityOptions } from "./activity/write-activity.js";
import { createApiKeyService } from "./api-keys/api-key-service.js";
import { createApiKeyStore } from "./api-keys/api-key-store.js";
import { retryingConflicts } from "./database/store-errors.js";
import { dialectOf } from "./database/open-database.js";
import { createOperatorService } from "./operators/operator-service.js";
import { createOperatorSessions, type OperatorSessionOptions } from "./operators/operator-sessions.js";
import { createSchemaService } from "./schemas/schema-service.js";
import { createSchemaStore } from "./schemas/schema-store.js";
import { createTenantSchemaCache, type TenantSchemaCacheOptions } from "./schemas/tenant-schema-cache.js";
import { hidingNeverReturned } from "./schemas/hide-never-returned.js";
import { createSetupLinkService } from "./setup-links/setup-link-service.js";
import { createSetupLinkStore } from "./setup-links/setup-link-store.js";
import { createTenantService } from "./administration/tenant-service.js";
import { createTenantStore } from "./tenants/tenant-store.js";
import { createTenantGate, gatedByTenant, type TenantGateOptions } from "./tenants/tenant-gate.js";
import { toDirectoryError } from "./errors/directory-errors.js";
import { createChangeService } from "./changes/change-service.js";
import { createChangeStore } from "./changes/change-store.js";
import { createGroupService } from "./groups/group-service.js";
import { createGroupStore } from "./groups/group-store.js";
import { addHealthService, markNotServing } from "./operations/health.js";
import { addReflectionService } from "./operations/reflection.js";
import { logCalls } from "./observability/log-calls.js";
import { traceCalls } from "./observability/trace-calls.js";
import { createCallAuthorizer } from "./service-credentials/call-authorizer.js";
import { requiredScopeOf } from "./service-credentials/required-scopes.js";
import { createServiceCredentialStore } from "./service-credentials/service-credential-store.js";
import { createUserService } from "./users/user-service.js";
import { createUserStore } from "./users/user-store.js";
import { createAssignmentCheck, type UnknownEntitlements } from "./entitlements/assignment-check.js";
import { createCatalogStore } from "./entitlements/catalog-store.js";
import { createEntitlementService } from "./entitlements/entitlement-service.js";
import { offsetPositionsOf } from "./query/offset-positions.js";
import type { DirectoryMetrics } from "./metrics/directory-metrics.js";

export { markNotServing } from "./operations/health.js";

const shutdownStarters = new WeakMap<Server, () => void>();

/**
 * The first step of a graceful stop, before server.tryShutdown: health turns NOT_SERVING (load
 * balancers stop routing here) and open change streams end with UNAVAILABLE, so tryShutdown only
 * waits for the unary calls in flight.
 */
export function beginShutdown(server: Server): void {
  markNotServing(server);
  shutdownStarters.get(server)?.();
}

export interface DirectoryDependencies {
  db: Knex;
  logger: Logger;
  /** How long a service credential's verification is reused (revocation delay). Default 10 s. */
  credentialCacheMs?: number;
  /** Per-tenant limits on calls in the store at once; defaults from defaultTenantLimits. */
  tenantLimits?: Partial<TenantGateOptions>;
  /** Calls and change streams are measured into these (createDirectoryMetrics). Default: none. */
  metrics?: DirectoryMetrics;
  /** What writes' activity entries keep (ACTIVITY_RECORD_VALUES). Default: attribute names only. */
  activity?: ActivityOptions;
  /** How long an operator's console session lasts (OPERATOR_SESSION_HOURS). Default 12. */
  operatorSessionHours?: number;
  /** Operators' sign-in limits and clock; tests shorten and move them. */
  operatorSessions?: Pick<OperatorSessionOptions, "limits" | "now">;
  /** The clock setup links expire by, in epoch ms; tests move it. Default Date.now. */
  setupLinkClock?: () => number;
  /** Entitlements and roles values naming no catalog entry (UNKNOWN_ENTITLEMENTS). Default: refused. */
  unknownEntitlements?: UnknownEntitlements;
  /** How long each tenant's resource types are reused before their revision is read again, and for how many tenants. */
  tenantSchemas?: Partial<Pick<TenantSchemaCacheOptions, "revalidateAfterMs" | "maxTenants">>;
}

/**
 * How many calls of one tenant may use the store at once, by store. PostgreSQL has `poolMax`
 * connections per replica, of which one tenant may take half. SQLite has `poolMax` read
 * connections and one writer shared by all tenants: a tenant may have twice the read connections
 * in flight, enough for its writes to fill a group commit (group-commit.ts) while its reads keep
 * the read connections busy, and few enough that every other tenant's calls still find a place in
 * the queues.
 */
export function defaultTenantLimits(db: Knex): TenantGateOptions {
  const poolMax = (db.client.config.pool?.max as number | undefined) ?? 2;
  return {
    concurrency: dialectOf(db) === "sqlite" ? Math.max(4, 2 * poolMax) : Math.max(2, Math.ceil(poolMax / 2)),
    // Enough for an IdP's burst (Okta pushes a group's members with tens of parallel calls).
    queueLimit: 64,
    maxWaitMs: 5000,
  };
}

const services = [
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
];

/**
 * Builds the directory's gRPC server with all its services; binding and listening is main's job.
 * Every call of these services needs a service credential; health and reflection stay open, as
 * load balancers and grpcurl expect.
 */
export function createDirectoryServer({
  db,
  logger,
  credentialCacheMs = 10_000,
  tenantLimits = {},
  metrics,
  activity = defaultActivityOptions,
  operatorSessionHours = 12,
  operatorSessions = {},
  setupLinkClock = Date.now,
  unknownEntitlements = "refuse",
  tenantSchemas = {},
}: DirectoryDependencies): Server {
  const unguarded = services
    .flatMap((service) => service.methods.map((method) => `${service.typeName}/${method.name}`))
    .filter((method) => requiredScopeOf(method) === undefined);
  if (unguarded.length > 0)
    throw new Error(`no required scope for ${unguarded.join(", ")}: add them to service-credentials/required-scopes.ts`);

  // The same limits as every client's (packages/grpc message-limits.ts): above the largest page.
  const server = new Server({ ...directoryMessageLimitOptions });
  const hooks: ServerHooks = {
    authorize: createCallAuthorizer(createServiceCredentialStore(db), { cacheMs: credentialCacheMs }),
    // A change stream re-checks its credential as often as a verification is cached (at least
    // every second): a revoked credential's stream ends within the same delay as its calls.
    reauthorizeStreamsEveryMs: Math.max(1000, credentialCacheMs),
    translateError: toDirectoryError,
    // The span outermost, so the call's log lines name its trace too; failures are logged there.
    observers: [traceCalls, logCalls(logger), ...(metrics === undefined ? [] : [metrics.observeCall])],
  };
  // The gate is outside the conflict retries: a call keeps its one slot while it retries.
  const gate = createTenantGate({ ...defaultTenantLimits(db), ...tenantLimits });
  // Values recorded although unknown are logged and counted: the catalog is not published yet.
  const checkAssignments = createAssignmentCheck(unknownEntitlements, (tenantId, values) => {
    logger.warn({ tenant: tenantId, values }, "entitlements or roles recorded that name no catalog entry (UNKNOWN_ENTITLEMENTS=record)");
    for (const value of values) metrics?.countUnknownAssignments?.(value.attribute, 1);
  });
  // Each tenant's resource types (its extension schemas), shared by users, groups and the schema
  // store (which updates it the moment a change commits). Writes never depend on its age (each
  // checks its revision where it commits); revalidateAfterMs bounds how long a read here may lag a
  // schema change made through another replica.
  const schemas = createTenantSchemaCache(db, { revalidateAfterMs: 1000, maxTenants: 10_000, ...tenantSchemas });
  const userStore = createUserStore(db, activity, offsetPositionsOf(db), checkAssignments, schemas);
  addService(
    server,
    UserService,
    gatedByTenant(gate, retryingConflicts(hidingNeverReturned(schemas, createUserService(userStore)))),
    hooks,
  );
  addService(
    server,
    EntitlementService,
    gatedByTenant(gate, retryingConflicts(hidingNeverReturned(schemas, createEntitlementService(createCatalogStore(db), userStore)))),
    hooks,
  );
  addService(
    server,
    GroupService,
    gatedByTenant(
      gate,
      retryingConflicts(hidingNeverReturned(schemas, createGroupService(createGroupStore(db, activity, offsetPositionsOf(db), schemas)))),
    ),
    hooks,
  );
  addService(server, SchemaService, gatedByTenant(gate, retryingConflicts(createSchemaService(createSchemaStore(db, schemas)))), hooks);
  // Streams are not retried as a whole: a consumer resumes from its cursor instead.
  const stopping = new AbortController();
  shutdownStarters.set(server, () => stopping.abort());
  addService(
    server,
    ChangeService,
    createChangeService(createChangeStore(db), {
      stopping: stopping.signal,
      ...(metrics === undefined ? {} : { observeStreams: metrics.observeChangeStreams }),
    }),
    hooks,
  );
  addService(server, ApiKeyService, retryingConflicts(createApiKeyService(createApiKeyStore(db))), hooks);
  // Gated like the resources: a tenant's log reader waits its turn with that tenant's other calls.
  // RecordActivity names no tenant and passes the gate: it is one call a second per gateway.
  addService(server, ActivityService, gatedByTenant(gate, retryingConflicts(createActivityService(createActivityStore(db)))), hooks);

  // Administration (the console): not gated by tenant, as a listing is about every tenant at once,
  // and an operator must be able to suspend or rate-limit a tenant whose own calls fill its slots.
  addService(server, TenantService, retryingConflicts(createTenantService(db, createTenantStore(db))), hooks);
  addService(
    server,
    SetupLinkService,
    retryingConflicts(
      createSetupLinkService({
        links: createSetupLinkStore(db, { now: setupLinkClock }),
        keys: createApiKeyStore(db),
        activity: createActivityStore(db),
      }),
    ),
    hooks,
  );
  // Not retried on a conflict: a retried sign-in would count as a second attempt.
  addService(
    server,
    OperatorService,
    createOperatorService(createOperatorSessions(db, { sessionHours: operatorSessionHours, ...operatorSessions })),
    hooks,
  );

  addHealthService(server, { db, services: services.map((service) => service.typeName) });
  // The google.rpc files describe the error details our statuses carry (grpc-status-details-bin).
  addReflectionService(server, [...services.map((service) => service.file), file_google_rpc_status, file_google_rpc_error_details]);
  return server;
}
