// Tracing is global to a process, so this file runs in a process of its own
// (test-in-shards: own process), and installing it here touches no other test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { outgoingCallMetadata } from "./outgoing-call-metadata.js";
import { runWithRequestId } from "./request-context.js";
import { installTracing } from "./start-tracing.js";

test("without tracing, a call carries the request id alone, and outside a request nothing", () => {
  assert.deepEqual(
    runWithRequestId("req-7", () => outgoingCallMetadata()),
    { "x-request-id": "req-7" },
  );
  assert.deepEqual(outgoingCallMetadata(), {});
});

test("with tracing, a call carries the current span as a W3C traceparent", async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = installTracing("test", [new SimpleSpanProcessor({ exporter })]);
  const metadata = trace.getTracer("test").startActiveSpan("work", (span) => {
    const sent = runWithRequestId("req-8", () => outgoingCallMetadata());
    span.end();
    return { sent, context: span.spanContext() };
  });
  assert.equal(metadata.sent["x-request-id"], "req-8");
  assert.equal(metadata.sent.traceparent, `00-${metadata.context.traceId}-${metadata.context.spanId}-01`);
  await tracing.shutdown();
});
