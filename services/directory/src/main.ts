import { mkdirSync } from "node:fs";
import path from "node:path";
import { logVerbosity, ServerCredentials, setLogVerbosity } from "@grpc/grpc-js";
import { serverCredentialsFromFiles } from "@scimgw/grpc";
import { createLogger, startTracing } from "@scimgw/observability";
import { applyHeapGrowth, exitWithFailure } from "@scimgw/config";
import { loadDirectoryConfig } from "./config.js";
import { pruneChanges } from "./changes/prune-changes.js";
import { startActivityPruning } from "./activity/prune-activity.js";
import { beginShutdown, createDirectoryServer } from "./create-directory-server.js";
import { migrateToLatest } from "./database/migrations/migrate.js";
import { describeDatabase, openDatabase } from "./database/open-database.js";
import { serveMetrics } from "@scimgw/metrics";
import { createDirectoryMetrics } from "./metrics/directory-metrics.js";
import { explainDirectoryFailure } from "./errors/explain-failure.js";
import { traceQueries } from "./observability/trace-queries.js";

async function main(): Promise<void> {
  const config = loadDirectoryConfig(process.env);
  applyHeapGrowth(config.heapGrowthPercent);
  const logger = createLogger({ name: "directory", level: config.logLevel });
  const tracing = startTracing("scimgw-directory", process.env);
  if (config.database.kind === "sqlite") mkdirSync(path.dirname(config.database.filename), { recursive: true, mode: 0o700 });
  const db = openDatabase(config.database);
  if (tracing.enabled) traceQueries(db);
  await migrateToLatest(db);

  const metrics = createDirectoryMetrics({ db });
  const metricsEndpoint =
    config.metrics === undefined
      ? undefined
      : await serveMetrics(metrics.registry, config.metrics, (error) => logger.error({ err: error }, "collecting metrics failed"));
  const server = createDirectoryServer({
    db,
    logger,
    credentialCacheMs: config.credentialCacheMs,
    operatorSessionHours: config.operatorSessionHours,
    tenantLimits: config.tenantLimits,
    metrics,
    activity: { recordValues: config.activity.recordValues },
    unknownEntitlements: config.unknownEntitlements,
  });
  const serverCredentials = config.tls === undefined ? ServerCredentials.createInsecure() : serverCredentialsFromFiles(config.tls);
  // grpc-js logs a failed bind itself before reporting it; the report becomes one line (explain-failure.ts).
  const quietBind = process.env.GRPC_VERBOSITY === undefined;
  if (quietBind) setLogVerbosity(logVerbosity.NONE);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, serverCredentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  if (quietBind) setLogVerbosity(logVerbosity.ERROR);
  const transport = config.tls === undefined ? "plaintext" : config.tls.clientCaFile === undefined ? "tls" : "mutual tls";
  logger.info(
    {
      address: `${config.host}:${port}`,
      transport,
      database: describeDatabase(config.database),
      metrics: metricsEndpoint?.url ?? "off",
    },
    "directory listening",
  );

  // Prune the change feed hourly (any replica may; deletes are idempotent).
  const prune = () =>
    pruneChanges(db, config.changeRetentionDays)
      .then((deleted) => deleted > 0 && logger.info({ deleted, retentionDays: config.changeRetentionDays }, "pruned change events"))
      .catch((error: unknown) => logger.warn({ err: error }, "pruning change events failed"));
  void prune();
  const pruning = setInterval(prune, 60 * 60 * 1000).unref();
  const activityPruning = startActivityPruning(db, config.activity, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Load balancers' health checks see the replica leave before its port closes, and change
    // streams end at once (their consumers resume elsewhere) rather than hold the drain.
    beginShutdown(server);
    clearInterval(pruning);
    logger.info({ signal }, "directory stopping: draining in-flight calls");
    // In-flight calls finish; a hard stop after 10 s bounds a stuck client.
    const force = setTimeout(() => server.forceShutdown(), 10_000).unref();
    server.tryShutdown(async () => {
      clearTimeout(force);
      await activityPruning.stop();
      await metricsEndpoint?.close();
      await db.destroy();
      await tracing.shutdown();
      logger.info("directory stopped");
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => exitWithFailure("directory", error, explainDirectoryFailure(process.env)));
