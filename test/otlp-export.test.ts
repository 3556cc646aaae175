// The real processes, started as users start them, with an OTLP endpoint set: both export their
// spans of a request over OTLP http/protobuf, under their service names and with its request id.
// A stand-in collector records what is posted; the protobuf is checked for the strings it must
// carry, which is enough to tell whose spans arrived and for which request.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Product } from "./support/product.js";

const posted: Array<{ path: string; contentType: string | undefined; body: Buffer }> = [];
let collector: Server;
let product: Product;

before(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posted.push({ path: request.url ?? "", contentType: request.headers["content-type"], body: Buffer.concat(chunks) });
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  }).listen(0, "127.0.0.1");
  await new Promise((resolve) => collector.once("listening", resolve));
  const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` };
  product = await Product.start({ gatewayEnv: otlp, directoryEnv: otlp });
});

after(async () => {
  await product.stop();
  collector.close();
});

test("with OTEL_EXPORTER_OTLP_ENDPOINT set, both services export the request's spans, flushed as they stop", async () => {
  const response = await fetch(`${product.baseUrl}/Users?count=1`, {
    headers: { authorization: `Bearer ${product.apiKey}`, "x-request-id": "otlp-export-1" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-request-id"), "otlp-export-1");
  // The batch processor holds spans for up to 5 s; a graceful stop sends what it holds.
  await product.stopServices();

  const traces = posted.filter((post) => post.path === "/v1/traces");
  assert.ok(traces.length > 0, "spans were posted to the standard traces path");
  assert.ok(traces.every((post) => post.contentType === "application/x-protobuf"));
  const exported = Buffer.concat(traces.map((post) => post.body)).toString("latin1");
  for (const expected of [
    "scimgw-gateway",
    "scimgw-directory",
    "GET users.list",
    "scimgw.directory.v1.UserService/ListUsers",
    // The directory's SQL, as a statement span.
    "sqlite select",
    "otlp-export-1",
  ])
    assert.ok(exported.includes(expected), `${expected} was exported`);
});
