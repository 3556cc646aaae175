import { Counter, Histogram, type Registry } from "prom-client";
import { Code, type ObserveCall } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";

// Seconds: a keyed read is a millisecond or two, a 10,000-member PATCH seconds; a WatchChanges
// stream counts the time it stayed open, so its calls land in the top buckets.
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A status code as grpc-js names it (OK, NOT_FOUND…), as gRPC's own metrics label it. */
function codeName(code: Code): string {
  return Code[code] ?? String(code);
}

/**
 * Calls per method and final gRPC code, their duration, and the calls the tenant gate refused
 * (RESOURCE_EXHAUSTED, TENANT_BUSY): an observer for ServerHooks.observers. Method labels are
 * the services' own methods, so their number is fixed.
 */
export function registerRpcMetrics(registry: Registry): ObserveCall {
  const labelNames = ["grpc_service", "grpc_method", "grpc_code"] as const;
  const calls = new Counter({
    name: "scimgw_directory_rpc_calls_total",
    help: "gRPC calls finished, by service, method and final status code (streams included, counted when they end).",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "scimgw_directory_rpc_duration_seconds",
    help: "Time from a call's arrival (before authorization) to its final status, by service, method and code; a stream's is how long it stayed open.",
    labelNames,
    buckets: durationBuckets,
    registers: [registry],
  });
  const tenantBusy = new Counter({
    name: "scimgw_directory_tenant_busy_refusals_total",
    help: "Calls refused because their tenant already had its limit of calls in the store and its queue was full or too slow (RESOURCE_EXHAUSTED, reason TENANT_BUSY).",
    labelNames: ["grpc_service", "grpc_method"],
    registers: [registry],
  });
  return (context) => {
    const started = performance.now();
    const slash = context.method.lastIndexOf("/");
    const method = { grpc_service: context.method.slice(0, slash), grpc_method: context.method.slice(slash + 1) };
    return {
      end(code, error) {
        const labels = { ...method, grpc_code: codeName(code) };
        calls.inc(labels);
        duration.observe(labels, (performance.now() - started) / 1000);
        if (error?.reason === ErrorReason.TENANT_BUSY) tenantBusy.inc(method);
      },
    };
  };
}
