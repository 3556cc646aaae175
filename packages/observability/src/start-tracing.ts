import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace";

export interface Tracing {
  /** Whether spans are recorded; when not, the services skip the instrumentation that costs anything. */
  readonly enabled: boolean;
  /** Sends the spans still buffered; call once, as the service stops. */
  shutdown(): Promise<void>;
}

const off: Tracing = { enabled: false, shutdown: async () => {} };

/**
 * Makes the OpenTelemetry API record spans: a context manager over AsyncLocalStorage (so a span
 * stays current across awaits), the W3C `traceparent` propagator (what the gateway sends the
 * directory), and a tracer provider with these processors. Global, as the API is: one per process.
 */
export function installTracing(serviceName: string, spanProcessors: SpanProcessor[]): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({ resource: resourceFromAttributes({ "service.name": serviceName }), spanProcessors });
  trace.setGlobalTracerProvider(provider);
  return { enabled: true, shutdown: () => provider.shutdown() };
}

/**
 * Starts tracing only when an OTLP endpoint is configured by the standard variables; the exporter
 * reads them (and OTEL_EXPORTER_OTLP_HEADERS, …_TIMEOUT) itself and sends http/protobuf.
 * Otherwise no SDK is loaded into the API, whose spans are then no-ops, and tracing costs nothing.
 * OTEL_SERVICE_NAME overrides the service's own name.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv): Tracing {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === "true") return off;
  return installTracing(env.OTEL_SERVICE_NAME || serviceName, [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })]);
}
