// One SCIM request followed across both services, on every store: its id and its trace go from
// the gateway's HTTP handler through the gRPC call into the directory's handler and its SQL.
// Gateway and directory run in this one process (over a real socket), so one in-memory exporter
// sees both sides' spans, wired as the services' main.ts wire them. Tracing is global to a process,
// so this file runs in a process of its own (test-in-shards: own process).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace";
import {
  createDirectoryServer,
  createServiceCredentialStore,
  migrateToLatest,
  openDatabase,
  traceQueries,
  type DatabaseLocation,
} from "@scimgw/directory";
import { createDirectoryClient, type DirectoryClient } from "@scimgw/directory-client";
import { createGateway, scimRoot } from "@scimgw/gateway";
import { createLogger, installTracing, outgoingCallMetadata } from "@scimgw/observability";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";

type Database = ReturnType<typeof openDatabase>;

const exporter = new InMemorySpanExporter();
const tracing = installTracing("scimgw-test", [new SimpleSpanProcessor({ exporter })]);
after(() => tracing.shutdown());

async function openStore(kind: "sqlite" | "postgres"): Promise<{ db: Database; dispose: () => Promise<void> }> {
  if (kind === "sqlite") {
    const folder = mkdtempSync(path.join(tmpdir(), "scimgw-tracing-"));
    const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "directory.sqlite") });
    return {
      db,
      dispose: async () => {
        await db.destroy();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const location: DatabaseLocation = {
    kind: "postgres",
    url: testPostgresUrl,
    schema: uniqueSchemaName("tracing"),
    poolMax: 4,
    statementTimeoutMs: 30_000,
  };
  const db = openDatabase(location);
  return {
    db,
    dispose: async () => {
      await db.raw("drop schema if exists ?? cascade", [location.schema]);
      await db.destroy();
    },
  };
}

/** The spans of one trace, and how they hang together. */
function traceOf(root: ReadableSpan) {
  const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === root.spanContext().traceId);
  const childrenOf = (parent: ReadableSpan) => spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
  const named = (name: string, kind: SpanKind) => spans.find((span) => span.name === name && span.kind === kind);
  return { spans, childrenOf, named };
}

for (const store of await storeKindsUnderTest()) {
  describe(`a SCIM request's id and trace, gateway to directory to SQL, on ${store}`, () => {
    let dispose: () => Promise<void>;
    let directoryServer: Server;
    let directory: DirectoryClient;
    let gateway: HttpServer;
    let base = "";
    let apiKey = "";
    /** What the directory logged, as its operator would read it. */
    const directoryLines: Array<Record<string, unknown>> = [];

    before(async () => {
      const opened = await openStore(store);
      dispose = opened.dispose;
      const { db } = opened;
      await migrateToLatest(db);
      // As the directory's main does while tracing.
      traceQueries(db);
      const tenantId = randomUUID();
      await db("tenants").insert({ id: tenantId, name: "acme", created_at: new Date().toISOString() });
      apiKey = `scimgw_${randomBytes(32).toString("base64url")}`;
      await db("api_keys").insert({
        tenant_id: tenantId,
        id: "okta-key",
        key_sha256: createHash("sha256").update(apiKey).digest("hex"),
        label: "okta",
        created_at: new Date().toISOString(),
      });
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split("\n").filter(Boolean)) directoryLines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      directoryServer = createDirectoryServer({
        db,
        logger: createLogger({ name: "directory", level: "debug" }, destination),
        credentialCacheMs: 0,
      });
      const port = await new Promise<number>((resolve, reject) =>
        directoryServer.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      );
      const credential = await createServiceCredentialStore(db).issue("gateway", "read-write", "all");
      // As the gateway's main builds its client.
      directory = createDirectoryClient({
        address: `127.0.0.1:${port}`,
        serviceCredential: credential.secret,
        callMetadata: outgoingCallMetadata,
      });
      gateway = createGateway({
        directory,
        logger: createLogger({ name: "gateway", level: "silent" }),
        trustProxy: false,
        paging: { defaultCount: 100, maxCount: 1000 },
        apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 1000, maxEntries: 10 },
        maxBodySize: "1mb",
      }).listen(0, "127.0.0.1");
      await new Promise((resolve) => gateway.once("listening", resolve));
      base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}${scimRoot}`;
    });

    after(async () => {
      await new Promise((resolve) => gateway.close(resolve));
      directory.close();
      directoryServer.forceShutdown();
      await dispose();
    });

    test("a user's creation is one trace: the HTTP request, its gRPC calls, the directory's handlers and their SQL", async () => {
      const requestId = `create-${store}`;
      const response = await fetch(`${base}/Users`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/scim+json",
          "x-request-id": requestId,
          // A client's own trace context is not continued unless TRUST_PROXY says a proxy set it.
          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "alice@example.com" }),
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get("x-request-id"), requestId);

      const root = exporter
        .getFinishedSpans()
        .find(
          (span) =>
            span.attributes["scimgw.request_id"] === requestId && span.kind === SpanKind.SERVER && span.name === "POST users.create",
        );
      assert.ok(root, "the gateway's span for the request");
      assert.equal(root.parentSpanContext, undefined, "the request starts its trace");
      assert.notEqual(root.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c", "a client cannot choose the trace");
      assert.equal(root.attributes["http.response.status_code"], 201);
      assert.equal(typeof root.attributes["scimgw.tenant_id"], "string");
      const { spans, childrenOf, named } = traceOf(root);

      const client = named("scimgw.directory.v1.UserService/CreateUser", SpanKind.CLIENT);
      const server = named("scimgw.directory.v1.UserService/CreateUser", SpanKind.SERVER);
      assert.ok(client && server, `both ends of the call in the trace: ${spans.map((span) => span.name).join(", ")}`);
      assert.equal(client.parentSpanContext?.spanId, root.spanContext().spanId, "the call is the request's child");
      assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId, "the directory continued the gateway's trace");
      assert.equal(server.attributes["scimgw.request_id"], requestId, "the request id reached the directory");
      assert.equal(server.attributes["scimgw.tenant_id"], root.attributes["scimgw.tenant_id"], "the directory's span names the tenant");
      assert.equal(server.attributes["rpc.grpc.status_code"], 0);

      const statements = childrenOf(server).filter((span) => span.kind === SpanKind.CLIENT);
      assert.ok(
        statements.some((span) => /insert/i.test(String(span.attributes["db.query.text"]))),
        `the user's INSERT under the directory's handler: ${statements.map((span) => span.attributes["db.query.text"]).join(" | ")}`,
      );
      assert.equal(statements[0]?.attributes["db.system.name"], store === "postgres" ? "postgresql" : "sqlite");
      // The API key was verified in the same trace, before the creation.
      assert.ok(named("scimgw.directory.v1.ApiKeyService/VerifyApiKey", SpanKind.SERVER));

      const recorded = JSON.stringify(spans.map((span) => span.attributes));
      assert.ok(!recorded.includes("alice"), "no attribute value in any span");
      assert.ok(!recorded.includes(apiKey), "no API key in any span");
    });

    test("the request id reaches the directory's log lines too", async () => {
      const requestId = `missing-${store}`;
      const response = await fetch(`${base}/Users/${randomUUID()}`, {
        headers: { authorization: `Bearer ${apiKey}`, "x-request-id": requestId },
      });
      assert.equal(response.status, 404);
      assert.equal(response.headers.get("x-request-id"), requestId);
      const line = directoryLines.find((entry) => entry.requestId === requestId);
      assert.ok(line, "the directory's line about the failed call names the request");
      assert.equal(line.method, "scimgw.directory.v1.UserService/GetUser");
      assert.equal(line.code, "NOT_FOUND");
      assert.equal(line.level, "debug");
    });
  });
}
