import path from "node:path";
import { z } from "zod";
import { ConfigError, flagSetting, heapGrowthSetting, readSettings } from "@scimgw/config";
import type { ServerTlsFiles } from "@scimgw/grpc";
import { metricsHost, metricsPort, type MetricsListen } from "@scimgw/metrics";
import { type DatabaseLocation, sqliteReadConnectionsDefault, sqliteSynchronousModes } from "./database/open-database.js";

const port = z.coerce.number().int().min(0).max(65535);

/** DATABASE_URL, and the admin CLI's copy-store --to. */
export const databaseUrl = z
  .string()
  .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, "must be sqlite:<path to the database file> or postgres://user@host:port/database");

/** DATABASE_SCHEMA, and the admin CLI's copy-store --to-schema. */
export const databaseSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier");

export type PostgresSettings = Omit<Extract<DatabaseLocation, { kind: "postgres" }>, "kind" | "url">;

export type SqliteSettings = Omit<Extract<DatabaseLocation, { kind: "sqlite" }>, "kind" | "filename">;

/** Where a valid database URL points; the path of an SQLite URL is relative to baseDir. */
export function locateDatabase(url: string, baseDir: string, postgres: PostgresSettings, sqlite: SqliteSettings = {}): DatabaseLocation {
  return url.startsWith("sqlite:")
    ? { kind: "sqlite", filename: path.resolve(baseDir, url.slice("sqlite:".length)), ...sqlite }
    : { kind: "postgres", url, ...postgres };
}

const settings = z.object({
  DATA_DIR: z.string().min(1).default("data"),
  DATABASE_URL: databaseUrl.optional(),
  DATABASE_SCHEMA: databaseSchema.default("public"),
  DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(2, "must be at least 2 (migrations need a connection beside the lock)")
    .max(500)
    .default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  DATABASE_PREPARED_STATEMENTS: flagSetting.default(true),
  SQLITE_READ_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(sqliteReadConnectionsDefault),
  SQLITE_SYNCHRONOUS: z.enum(sqliteSynchronousModes).default("FULL"),
  DIRECTORY_HOST: z.string().min(1).default("127.0.0.1"),
  DIRECTORY_PORT: port.default(50051),
  SERVICE_CREDENTIAL_CACHE_SECONDS: z.coerce.number().min(0).max(3600).default(10),
  DIRECTORY_TLS_CERT_FILE: z.string().min(1).optional(),
  DIRECTORY_TLS_KEY_FILE: z.string().min(1).optional(),
  DIRECTORY_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  DIRECTORY_TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  DIRECTORY_TENANT_QUEUE: z.coerce.number().int().min(0).max(100_000).optional(),
  CHANGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  ACTIVITY_MAX_ENTRIES_PER_TENANT: z.coerce.number().int().min(100).max(100_000_000).default(100_000),
  ACTIVITY_RECORD_VALUES: flagSetting.default(false),
  // A console sign-in lasts this long (at most 30 days); signing out ends it sooner.
  OPERATOR_SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  UNKNOWN_ENTITLEMENTS: z.enum(["refuse", "record"]).default("refuse"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Prometheus metrics on an HTTP port of their own, loopback by default (README "Operations › Metrics").
  DIRECTORY_METRICS_HOST: metricsHost,
  DIRECTORY_METRICS_PORT: metricsPort(9465),
  HEAP_GROWTH_PERCENT: heapGrowthSetting,
});

export interface DirectoryConfig {
  dataDir: string;
  database: DatabaseLocation;
  host: string;
  port: number;
  logLevel: string;
  /** HEAP_GROWTH_PERCENT (see heapGrowthSetting). */
  heapGrowthPercent: number;
  /** How long the change feed keeps events; older cursors get OUT_OF_RANGE. */
  changeRetentionDays: number;
  /** The activity log's retention, by age and by count per tenant, and whether writes' diffs keep values. */
  activity: { retentionDays: number; maxEntriesPerTenant: number; recordValues: boolean };
  /** How long a service credential's verification is reused: the delay before a revocation bites. */
  credentialCacheMs: number;
  /** How long an operator's console session lasts. */
  operatorSessionHours: number;
  /** Entitlements and roles values naming no catalog entry: refused (400), or stored and counted. */
  unknownEntitlements: "refuse" | "record";
  /** Per-tenant limits on calls in the store at once; unset ones default by store (see defaultTenantLimits). */
  tenantLimits: { concurrency?: number; queueLimit?: number };
  /** TLS for the gRPC port; with a client CA, callers must present a certificate it signed. Unset: plaintext. */
  tls: ServerTlsFiles | undefined;
  /** Where Prometheus scrapes the directory's metrics; undefined is off. */
  metrics: MetricsListen | undefined;
}

/**
 * Reads the directory's settings from the environment once, at start. Every problem is reported
 * at once, by the variable's name, so a bad deployment fails with a message that says what to fix.
 */
export function loadDirectoryConfig(env: NodeJS.ProcessEnv): DirectoryConfig {
  // DATABASE_URL may carry the database password.
  const data = readSettings(settings, env, { secrets: ["DATABASE_URL"] });
  const { DIRECTORY_TLS_CERT_FILE: certFile, DIRECTORY_TLS_KEY_FILE: keyFile, DIRECTORY_TLS_CLIENT_CA_FILE: clientCaFile } = data;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError([
      "DIRECTORY_TLS_CERT_FILE and DIRECTORY_TLS_KEY_FILE: set both (TLS) or neither (plaintext on a private network)",
    ]);
  }
  if (clientCaFile !== undefined && certFile === undefined) {
    throw new ConfigError(["DIRECTORY_TLS_CLIENT_CA_FILE: mutual TLS also needs DIRECTORY_TLS_CERT_FILE and DIRECTORY_TLS_KEY_FILE"]);
  }
  const dataDir = path.resolve(data.DATA_DIR);
  const url = data.DATABASE_URL ?? `sqlite:${path.join(dataDir, "directory.sqlite")}`;
  const database = locateDatabase(
    url,
    dataDir,
    {
      schema: data.DATABASE_SCHEMA,
      poolMax: data.DATABASE_POOL_MAX,
      statementTimeoutMs: data.DATABASE_STATEMENT_TIMEOUT_MS,
      preparedStatements: data.DATABASE_PREPARED_STATEMENTS,
    },
    { readConnections: data.SQLITE_READ_CONNECTIONS, synchronous: data.SQLITE_SYNCHRONOUS },
  );
  return {
    dataDir,
    database,
    host: data.DIRECTORY_HOST,
    port: data.DIRECTORY_PORT,
    logLevel: data.LOG_LEVEL,
    heapGrowthPercent: data.HEAP_GROWTH_PERCENT,
    changeRetentionDays: data.CHANGE_RETENTION_DAYS,
    activity: {
      retentionDays: data.ACTIVITY_RETENTION_DAYS,
      maxEntriesPerTenant: data.ACTIVITY_MAX_ENTRIES_PER_TENANT,
      recordValues: data.ACTIVITY_RECORD_VALUES,
    },
    credentialCacheMs: data.SERVICE_CREDENTIAL_CACHE_SECONDS * 1000,
    operatorSessionHours: data.OPERATOR_SESSION_HOURS,
    unknownEntitlements: data.UNKNOWN_ENTITLEMENTS,
    tenantLimits: {
      ...(data.DIRECTORY_TENANT_CONCURRENCY === undefined ? {} : { concurrency: data.DIRECTORY_TENANT_CONCURRENCY }),
      ...(data.DIRECTORY_TENANT_QUEUE === undefined ? {} : { queueLimit: data.DIRECTORY_TENANT_QUEUE }),
    },
    metrics:
      data.DIRECTORY_METRICS_PORT === undefined ? undefined : { host: data.DIRECTORY_METRICS_HOST, port: data.DIRECTORY_METRICS_PORT },
    tls:
      certFile === undefined || keyFile === undefined
        ? undefined
        : { certFile, keyFile, ...(clientCaFile === undefined ? {} : { clientCaFile }) },
  };
}
