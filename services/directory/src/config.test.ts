import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ConfigError } from "@scimgw/config";
import { loadDirectoryConfig } from "./config.js";
import { sqliteReadConnectionsDefault } from "./database/open-database.js";

test("the database defaults to a SQLite file in the data folder", () => {
  const config = loadDirectoryConfig({ DATA_DIR: "/tmp/scimgw-data" });
  assert.deepEqual(config.database, {
    kind: "sqlite",
    filename: "/tmp/scimgw-data/directory.sqlite",
    readConnections: sqliteReadConnectionsDefault,
    synchronous: "FULL",
  });
  assert.equal(config.port, 50051);
  assert.equal(loadDirectoryConfig({}).dataDir, path.resolve("data"));
});

test("DATABASE_URL names another SQLite file", () => {
  assert.deepEqual(loadDirectoryConfig({ DATA_DIR: "/d", DATABASE_URL: "sqlite:/var/lib/x.sqlite" }).database, {
    kind: "sqlite",
    filename: "/var/lib/x.sqlite",
    readConnections: sqliteReadConnectionsDefault,
    synchronous: "FULL",
  });
  assert.deepEqual(loadDirectoryConfig({ DATA_DIR: "/d", DATABASE_URL: "sqlite:rel.sqlite" }).database, {
    kind: "sqlite",
    filename: "/d/rel.sqlite",
    readConnections: sqliteReadConnectionsDefault,
    synchronous: "FULL",
  });
});

test("SQLite's read connections and sync mode are settings, checked", () => {
  assert.deepEqual(loadDirectoryConfig({ DATA_DIR: "/d", SQLITE_READ_CONNECTIONS: "8", SQLITE_SYNCHRONOUS: "NORMAL" }).database, {
    kind: "sqlite",
    filename: "/d/directory.sqlite",
    readConnections: 8,
    synchronous: "NORMAL",
  });
  assert.throws(
    () => loadDirectoryConfig({ SQLITE_READ_CONNECTIONS: "0" }),
    (error: unknown) => error instanceof ConfigError && /SQLITE_READ_CONNECTIONS/.test(String(error)),
  );
  assert.throws(
    () => loadDirectoryConfig({ SQLITE_SYNCHRONOUS: "OFF" }),
    (error: unknown) => error instanceof ConfigError && /SQLITE_SYNCHRONOUS/.test(String(error)),
  );
});

test("a postgres:// DATABASE_URL selects PostgreSQL with its pool, schema, timeout and prepared-statement settings", () => {
  assert.deepEqual(
    loadDirectoryConfig({
      DATABASE_URL: "postgres://app@db:5432/scim",
      DATABASE_SCHEMA: "scim",
      DATABASE_POOL_MAX: "20",
      DATABASE_STATEMENT_TIMEOUT_MS: "5000",
      DATABASE_PREPARED_STATEMENTS: "false",
    }).database,
    {
      kind: "postgres",
      url: "postgres://app@db:5432/scim",
      schema: "scim",
      poolMax: 20,
      statementTimeoutMs: 5000,
      preparedStatements: false,
    },
  );
  assert.deepEqual(loadDirectoryConfig({ DATABASE_URL: "postgresql://db/scim" }).database, {
    kind: "postgres",
    url: "postgresql://db/scim",
    schema: "public",
    poolMax: 10,
    statementTimeoutMs: 15_000,
    preparedStatements: true,
  });
  assert.throws(
    () => loadDirectoryConfig({ DATABASE_URL: "postgres://db/scim", DATABASE_PREPARED_STATEMENTS: "off" }),
    /DATABASE_PREPARED_STATEMENTS/,
  );
  assert.throws(
    () => loadDirectoryConfig({ DATABASE_URL: "postgres://db/scim", DATABASE_POOL_MAX: "1" }),
    /DATABASE_POOL_MAX: must be at least 2/,
  );
  assert.throws(() => loadDirectoryConfig({ DATABASE_URL: "postgres://db/scim", DATABASE_SCHEMA: "Robert'); drop" }), /DATABASE_SCHEMA/);
});

test("bad settings are named", () => {
  assert.throws(
    () => loadDirectoryConfig({ DIRECTORY_PORT: "99999", DATABASE_URL: "mysql://x" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /DIRECTORY_PORT/);
      assert.match(error.message, /DATABASE_URL: must be sqlite:<path to the database file> or postgres:/);
      return true;
    },
  );
});

test("TLS files: both or neither of cert and key; mutual TLS adds a client CA; the credential cache period", () => {
  assert.equal(loadDirectoryConfig({}).tls, undefined);
  assert.equal(loadDirectoryConfig({}).credentialCacheMs, 10_000);
  assert.equal(loadDirectoryConfig({ SERVICE_CREDENTIAL_CACHE_SECONDS: "0" }).credentialCacheMs, 0);
  assert.deepEqual(loadDirectoryConfig({ DIRECTORY_TLS_CERT_FILE: "/c.pem", DIRECTORY_TLS_KEY_FILE: "/k.pem" }).tls, {
    certFile: "/c.pem",
    keyFile: "/k.pem",
  });
  assert.deepEqual(
    loadDirectoryConfig({ DIRECTORY_TLS_CERT_FILE: "/c.pem", DIRECTORY_TLS_KEY_FILE: "/k.pem", DIRECTORY_TLS_CLIENT_CA_FILE: "/ca.pem" })
      .tls,
    {
      certFile: "/c.pem",
      keyFile: "/k.pem",
      clientCaFile: "/ca.pem",
    },
  );
  assert.throws(() => loadDirectoryConfig({ DIRECTORY_TLS_CERT_FILE: "/c.pem" }), /set both/);
  assert.throws(() => loadDirectoryConfig({ DIRECTORY_TLS_CLIENT_CA_FILE: "/ca.pem" }), /mutual TLS also needs/);
});

test("metrics are served on loopback port 9465 by default, on another port or not at all", () => {
  assert.deepEqual(loadDirectoryConfig({}).metrics, { host: "127.0.0.1", port: 9465 });
  assert.deepEqual(loadDirectoryConfig({ DIRECTORY_METRICS_HOST: "0.0.0.0", DIRECTORY_METRICS_PORT: "0" }).metrics, {
    host: "0.0.0.0",
    port: 0,
  });
  assert.equal(loadDirectoryConfig({ DIRECTORY_METRICS_PORT: "off" }).metrics, undefined);
  assert.throws(() => loadDirectoryConfig({ DIRECTORY_METRICS_PORT: "9465x" }), /DIRECTORY_METRICS_PORT: must be a port number/);
});

test("an operator's console session lasts OPERATOR_SESSION_HOURS, 12 by default, 1 to 720", () => {
  assert.equal(loadDirectoryConfig({}).operatorSessionHours, 12);
  assert.equal(loadDirectoryConfig({ OPERATOR_SESSION_HOURS: "8" }).operatorSessionHours, 8);
  for (const bad of ["0", "721", "1.5", "twelve"])
    assert.throws(
      () => loadDirectoryConfig({ OPERATOR_SESSION_HOURS: bad }),
      (error: unknown) => error instanceof ConfigError && /OPERATOR_SESSION_HOURS/.test(String(error)),
    );
});

test("UNKNOWN_ENTITLEMENTS: refuse by default, or record; nothing else", () => {
  assert.equal(loadDirectoryConfig({}).unknownEntitlements, "refuse");
  assert.equal(loadDirectoryConfig({ UNKNOWN_ENTITLEMENTS: "record" }).unknownEntitlements, "record");
  assert.throws(
    () => loadDirectoryConfig({ UNKNOWN_ENTITLEMENTS: "ignore" }),
    (error: unknown) => error instanceof ConfigError && /UNKNOWN_ENTITLEMENTS/.test(String(error)),
  );
});
