import Koa, { type Context, type Middleware } from "koa";
import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import type { Logger } from "pino";
import type { ActivityRecorder } from "./activity/activity-recorder.js";
import { recordActivity } from "./activity/record-activity.js";
import { attachScimRequests } from "./activity/scim-request.js";
import { authenticate, verdictOfRefusal, type AuthenticatedState } from "./auth/authenticate.js";
import { defaultAllowedHosts, publicOrigin, type AllowedHost } from "./http/public-origin.js";
import { enforceRateLimits, type RateLimitSettings } from "./rate-limit/enforce-rate-limits.js";
import { createMemoryRateLimiterStore, type RateLimiterStore } from "./rate-limit/rate-limiter-store.js";
import type { RateLimitRefusalHook } from "./rate-limit/respond-rate-limited.js";
import type { DirectoryClient } from "@scimgw/directory-client";
import { renderError } from "./errors/render-error.js";
import { mergeSlashes } from "./http/merge-slashes.js";
import { requireJsonBody } from "./http/require-json-body.js";
import { closeUnreadUpload } from "./http/close-unread-upload.js";
import { createReadinessCheck, type Readiness } from "./health/check-readiness.js";
import { healthRoutes } from "./health/health-routes.js";
import { assignRequestId } from "@scimgw/observability";
import { requestIdOf } from "./observability/assign-request-id.js";
import { logRequests } from "./observability/log-requests.js";
import { traceDirectoryCalls } from "./observability/trace-directory-calls.js";
import { traceRequests } from "./observability/trace-requests.js";
import { discoveryRoutes } from "./routes/discovery.js";
import { catalogResourceTypes, catalogRoutes } from "./routes/catalog.js";
import { groupRoutes } from "./routes/groups.js";
import { rootSearch } from "./routes/root-search.js";
import { userRoutes } from "./routes/users.js";
import type { GatewayMetrics } from "./metrics/gateway-metrics.js";
import { isResourceId } from "@scimgw/scim-proto";
import { defaultScimLimits, type ScimLimits } from "@scimgw/scim";
import { builtInSchemas, createTenantSchemaCache } from "./schemas/tenant-schemas.js";

/** Where SCIM lives; Okta's connector base URL is `{domain}/services/scim/v2`. */
export const scimRoot = "/services/scim/v2";

export interface GatewayOptions {
  directory: DirectoryClient;
  logger: Logger;
  /**
   * The public origin (scheme://host[:port]) for Location and meta.location; else the request's
   * own if its host is in `allowedHosts`, else links are relative.
   */
  publicBaseUrl?: string;
  /** Hosts a request's Host header may name to become the links' origin (default: localhost, 127.0.0.1, [::1]). */
  allowedHosts?: readonly AllowedHost[];
  /** Trust X-Forwarded-Proto/Host from a reverse proxy when deriving the origin. */
  trustProxy: boolean;
  paging: { defaultCount: number; maxCount: number };
  apiKeyCache: { ttlMs: number; negativeTtlMs: number; maxEntries: number; maxUnknownEntries?: number };
  /**
   * The most tenants whose extension schemas are remembered (default 10 000); a tenant forgotten
   * costs one ListSchemaExtensions at its next request.
   */
  maxSchemaTenants?: number;
  /**
   * Rate limits per API key and per tenant, and failed authentications per client address.
   * Default: the settings' defaults, counted in this process's memory.
   */
  rateLimits?: RateLimitSettings & { failedAuthenticationsPerMinute: number; store: RateLimiterStore };
  /** Called once per request refused by a rate limit (for metrics). */
  onRateLimited?: RateLimitRefusalHook;
  /** Largest accepted request body, e.g. "5mb". */
  maxBodySize: string;
  /** Members per directory call when a group response carries members (default 2000, at most 5000). */
  memberPageSize?: number;
  /** What one request may ask; default the SCIM core's, which the directory also applies. */
  limits?: ScimLimits;
  /**
   * Which `:id`s can name a resource; others are 404 without a directory call. Default: the
   * directory's UUIDs (isResourceId); a test over a fake directory may name resources otherwise.
   */
  isResourceId?: (id: string) => boolean;
  /** Request and group PATCH metrics (createGatewayMetrics); rate-limit refusals come through onRateLimited. Default: none. */
  metrics?: GatewayMetrics;
  /**
   * Where the gateway's activity entries (reads, failures, refusals) go, in batches
   * (createActivityRecorder); successful writes are recorded by the directory either way.
   * Default: none recorded by the gateway.
   */
  activity?: ActivityRecorder;
  /** What /readyz answers. Default: a cached probe of the directory with our credential (createReadinessCheck). */
  checkReadiness?: () => Promise<Readiness>;
}

/**
 * The default rate limits, generous enough never to slow a well-behaved identity provider: Entra
 * sends up to about 25 requests a second per app, and Okta's imports fetch pages in parallel
 * bursts. See README "Rate limits".
 */
export const defaultRateLimits = {
  perKey: { perSecond: 50, burst: 200 },
  perTenant: { perSecond: 100, burst: 400 },
  failedAuthenticationsPerMinute: 30,
} as const;

/** Builds the gateway's Koa app; it holds no state beyond the key cache, and listening is main's job. */
export function createGateway(options: GatewayOptions): Koa<AuthenticatedState> {
  const directory = attachScimRequests(traceDirectoryCalls(options.directory));
  const app = new Koa<AuthenticatedState>({ proxy: options.trustProxy });
  // Koa 3's ctx.origin is the Origin request header, so the server origin is built from protocol
  // and host, and only from an allowed host: Host is the client's to forge.
  const allowedHosts = options.allowedHosts ?? defaultAllowedHosts;
  const scimBaseUrl = (ctx: Context) => `${publicOrigin(ctx, { publicBaseUrl: options.publicBaseUrl, allowedHosts })}${scimRoot}`;
  const rateLimits = options.rateLimits ?? {
    ...defaultRateLimits,
    store: createMemoryRateLimiterStore(),
  };
  const onRateLimited: RateLimitRefusalHook = (limit, tenantId) => {
    options.logger.warn({ limit, tenant: tenantId }, "rate limited");
    options.onRateLimited?.(limit, tenantId);
  };

  const authenticateKey = authenticate(
    async (keySha256) => {
      let verified: Awaited<ReturnType<DirectoryClient["apiKeys"]["verifyApiKey"]>>;
      try {
        verified = await directory.apiKeys.verifyApiKey({ keySha256 });
      } catch (error) {
        const refused = verdictOfRefusal(error);
        if (refused === undefined) throw error;
        return refused;
      }
      const limit = verified.tenantRateLimit;
      const tenant = {
        tenantId: verified.tenantId,
        keyId: verified.keyId,
        keyLabel: verified.keyLabel,
        // Partial fakes in tests leave it out: a tenant without extensions.
        schemaRevision: verified.schemaRevision ?? 0n,
        ...(limit === undefined ? {} : { rateLimit: { perSecond: limit.perSecond, burst: limit.burst } }),
      };
      return { valid: true, tenant };
    },
    options.apiKeyCache,
    {
      counter: rateLimits.store.failureCounter("failed-auth", rateLimits.failedAuthenticationsPerMinute, 60),
      onRefused: onRateLimited,
    },
  );
  // Each tenant's resource types with its extensions, read when its key's verification shows a
  // schema revision the cache does not hold (see README "Schema extensions").
  const schemas = createTenantSchemaCache((tenantId) => directory.schemas.listSchemaExtensions({ tenantId }), {
    maxTenants: options.maxSchemaTenants ?? 10_000,
  });
  const schemasOf = (ctx: { state: AuthenticatedState }) => schemas.get(ctx.state.tenant.tenantId, ctx.state.tenant.schemaRevision);
  const limitRates = enforceRateLimits(rateLimits.store, rateLimits, onRateLimited);
  // The API key and the rate limits, as every SCIM request has them; discovery and the catalog
  // endpoints use them too (the same key cache).
  const authenticated: Middleware<AuthenticatedState> = (ctx, next) => authenticateKey(ctx, () => limitRates(ctx, next));

  const discovery = new Router({ prefix: scimRoot });
  const discoveryDocuments = discoveryRoutes({
    resourceTypes: [builtInSchemas.user, builtInSchemas.group],
    scimBaseUrl,
    paging: options.paging,
    // With a key, /ResourceTypes and /Schemas describe the tenant's extensions and catalog types too
    // (Okta's entitlement discovery; Entra's and Okta's schema discovery).
    tenantResourceTypes: {
      authenticate: authenticated,
      of: async (tenant) => {
        const [types, catalog] = await Promise.all([
          schemas.get(tenant.tenantId, tenant.schemaRevision),
          catalogResourceTypes(directory, tenant.tenantId),
        ]);
        return [types.user, types.group, ...catalog];
      },
    },
  });
  discovery.use(discoveryDocuments.routes(), discoveryDocuments.allowedMethods({ throw: true }));

  const scim = new Router<AuthenticatedState>({ prefix: scimRoot });
  scim.use(
    authenticated,
    requireJsonBody,
    bodyParser({
      enableTypes: ["json"],
      // extendTypes replaces the default list, so plain JSON is named again (Okta POSTs application/json).
      extendTypes: { json: ["application/json", "application/scim+json"] },
      jsonLimit: options.maxBodySize,
      // Every SCIM body is a JSON object (RFC 7644 §3.1); reject bare scalars as invalid syntax.
      jsonStrict: true,
    }),
  );
  const limits = options.limits ?? defaultScimLimits;
  const isId = options.isResourceId ?? isResourceId;
  const users = userRoutes({ directory, scimBaseUrl, paging: options.paging, limits, isResourceId: isId, schemas });
  const groups = groupRoutes({
    directory,
    schemas,
    scimBaseUrl,
    paging: options.paging,
    limits,
    isResourceId: isId,
    logger: options.logger,
    ...(options.memberPageSize === undefined ? {} : { memberPageSize: options.memberPageSize }),
    ...(options.metrics === undefined ? {} : { onGroupPatch: options.metrics.groupPatched }),
  });
  // RFC 7644 §3.4.3: a search at the root spans every resource type, Users then Groups.
  scim.post(
    "search",
    "/.search",
    rootSearch(
      [
        { resourceType: (types) => types.user, page: users.page },
        { resourceType: (types) => types.group, page: groups.page },
      ],
      options.paging,
      limits,
      schemasOf,
    ),
  );
  scim.use(users.router.routes(), users.router.allowedMethods({ throw: true }));
  scim.use(groups.router.routes(), groups.router.allowedMethods({ throw: true }));

  const health = healthRoutes(options.checkReadiness ?? createReadinessCheck(options.directory));

  // Outermost: the request id first, so everything after carries it; the span next, so the
  // access line names the trace; the access line logs the status the client finally got.
  app.use(assignRequestId);
  app.use(traceRequests({ continueIncomingTraces: options.trustProxy }));
  app.use(logRequests(options.logger));
  // Outside the error sink and the metrics, so each request is recorded with the status it got.
  app.use(recordActivity(options.activity));
  // A streamed body (a group's members) that fails after the status went out cannot reach
  // renderError; Koa reports it here, and the stream's own log says which group it was.
  app.on("error", (error: unknown, ctx?: Context) => {
    const prematureClose = (error as { code?: unknown } | null)?.code === "ERR_STREAM_PREMATURE_CLOSE";
    const log = prematureClose ? options.logger.debug.bind(options.logger) : options.logger.warn.bind(options.logger);
    log(
      { err: error, requestId: ctx === undefined ? undefined : requestIdOf(ctx), method: ctx?.method, path: ctx?.path },
      prematureClose ? "client went away during the response" : "response failed after it started",
    );
  });
  // Outside renderError, so it counts the status and scimType the client got.
  if (options.metrics !== undefined) app.use(options.metrics.countRequests);
  app.use(closeUnreadUpload);
  app.use(renderError());
  app.use(mergeSlashes);
  app.use(health.routes());
  app.use(discovery.routes());
  app.use(
    catalogRoutes({ directory, root: scimRoot, scimBaseUrl, paging: options.paging, limits, authenticate: authenticateKey, limitRates }),
  );
  app.use(scim.routes());
  app.use(scim.allowedMethods({ throw: true }));
  return app;
}
