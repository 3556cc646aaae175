import { applyHeapGrowth, exitWithFailure } from "@scimgw/config";
import { createDirectoryClient, followCredentialFile } from "@scimgw/directory-client";
import { createLogger, outgoingCallMetadata, startTracing } from "@scimgw/observability";
import { loadGatewayConfig } from "./config.js";
import { createGateway, scimRoot } from "./create-gateway.js";
import { explainStartFailure } from "./errors/explain-start-failure.js";
import { createMemoryRateLimiterStore, createPostgresRateLimiterStore } from "./rate-limit/rate-limiter-store.js";
import { serveMetrics } from "@scimgw/metrics";
import { createGatewayMetrics } from "./metrics/gateway-metrics.js";
import { createActivityRecorder } from "./activity/activity-recorder.js";

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  applyHeapGrowth(config.HEAP_GROWTH_PERCENT);
  const logger = createLogger({ name: "gateway", level: config.LOG_LEVEL });
  const tracing = startTracing("scimgw-gateway", process.env);
  const credentialFile =
    config.DIRECTORY_CREDENTIAL_FILE === undefined
      ? undefined
      : followCredentialFile(config.DIRECTORY_CREDENTIAL_FILE, config.directoryCredential, logger);
  const directory = createDirectoryClient({
    address: config.DIRECTORY_ADDRESS,
    serviceCredential: credentialFile?.current ?? config.directoryCredential,
    defaultTimeoutMs: config.DIRECTORY_TIMEOUT_MS,
    // Each call carries the id and trace context of the request it is made for.
    callMetadata: outgoingCallMetadata,
    ...(config.directoryTls === undefined ? {} : { tls: config.directoryTls }),
  });
  // One gateway counts in memory; several share their counters in PostgreSQL, so a limit holds
  // however requests are spread across them.
  const rateLimitStore =
    config.RATE_LIMIT_DATABASE_URL === undefined
      ? createMemoryRateLimiterStore()
      : await createPostgresRateLimiterStore({ url: config.RATE_LIMIT_DATABASE_URL, tableName: config.RATE_LIMIT_TABLE });
  const metrics = createGatewayMetrics({ maxTenants: config.METRICS_MAX_TENANTS });
  const metricsEndpoint =
    config.GATEWAY_METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(metrics.registry, { host: config.GATEWAY_METRICS_HOST, port: config.GATEWAY_METRICS_PORT }, (error) =>
          logger.error({ err: error }, "collecting metrics failed"),
        );
  // Reads, failures and refusals go to the activity log in batches; writes are recorded by the directory.
  const activity = createActivityRecorder({
    send: async (entries) => {
      await directory.activity.recordActivity({ entries });
    },
    logger,
    onDropped: metrics.activityDropped,
  });
  const app = createGateway({
    directory,
    activity,
    logger,
    metrics,
    onRateLimited: metrics.rateLimited,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    allowedHosts: config.allowedHosts,
    rateLimits: {
      perKey: { perSecond: config.RATE_LIMIT_KEY_PER_SECOND, burst: config.RATE_LIMIT_KEY_BURST },
      perTenant: { perSecond: config.RATE_LIMIT_TENANT_PER_SECOND, burst: config.RATE_LIMIT_TENANT_BURST },
      failedAuthenticationsPerMinute: config.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
      store: rateLimitStore,
    },
    trustProxy: config.TRUST_PROXY,
    paging: { defaultCount: config.SCIM_DEFAULT_PAGE_SIZE, maxCount: config.SCIM_MAX_PAGE_SIZE },
    apiKeyCache: {
      ttlMs: config.API_KEY_CACHE_SECONDS * 1000,
      negativeTtlMs: Math.min(5, config.API_KEY_CACHE_SECONDS) * 1000,
      maxEntries: 10_000,
      maxUnknownEntries: 1_000,
    },
    maxBodySize: config.MAX_BODY_SIZE,
    memberPageSize: config.GROUP_MEMBER_PAGE_SIZE,
    limits: config.limits,
  });
  const server = app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
  // Node closes an idle keep-alive connection after 5 s. A client (or a load balancer: AWS's idle
  // timeout is 60 s) that reuses it just then sends its request into a closing socket and gets a
  // reset, a 502 behind a proxy. So idle connections stay open longer than those in front of us keep
  // theirs; headers must then be allowed at least as long.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.GATEWAY_PORT;
  const baseUrl = `${config.PUBLIC_BASE_URL ?? `http://localhost:${port}`}${scimRoot}`;
  logger.info(
    {
      port,
      baseUrl,
      directory: config.DIRECTORY_ADDRESS,
      directoryTransport: config.directoryTls ? "tls" : "plaintext",
      rateLimitCounters: rateLimitStore.kind,
      metrics: metricsEndpoint?.url ?? "off",
    },
    "gateway listening",
  );

  const stop = (signal: string) => {
    logger.info({ signal }, "gateway stopping: finishing in-flight requests");
    server.close(async () => {
      await activity.close();
      directory.close();
      credentialFile?.close();
      void rateLimitStore.close();
      void metricsEndpoint?.close();
      void tracing.shutdown();
      logger.info("gateway stopped");
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => exitWithFailure("gateway", error, explainStartFailure));
