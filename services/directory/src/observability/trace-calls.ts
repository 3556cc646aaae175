import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from "@opentelemetry/api";
import type { Metadata } from "@grpc/grpc-js";
import { Code, type ObserveCall } from "@scimgw/grpc";
import { tenantOfRequest } from "../tenants/tenant-of-request.js";
import { requestIdOfCall } from "./request-id-of-call.js";

const tracer = trace.getTracer("@scimgw/directory");

/** Reads the caller's `traceparent` from the call's metadata. */
const metadataGetter: TextMapGetter<Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get: (metadata, key) => {
    const values = metadata.get(key).filter((value): value is string => typeof value === "string");
    return values.length === 0 ? undefined : values;
  },
};

/**
 * The gRPC statuses that are the server's fault, and so mark its span as failed (OpenTelemetry's
 * gRPC conventions); NOT_FOUND, ALREADY_EXISTS and the like are answers, not failures.
 */
const serverFaults: ReadonlySet<Code> = new Set([
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.UNIMPLEMENTED,
  Code.INTERNAL,
  Code.UNAVAILABLE,
  Code.DATA_LOSS,
]);

/**
 * A server span per call, a child of the caller's span when its `traceparent` came along, so the
 * gateway's request and the directory's work (and its SQL) are one trace. The call's work runs
 * with the span current. Only the method, the status, the request id and the tenant are recorded:
 * never the rest of the request, which holds tenants' users.
 */
export const traceCalls: ObserveCall = (call, request) => {
  const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter);
  const [service, method] = call.method.split("/");
  const requestId = requestIdOfCall(call.metadata);
  const tenantId = tenantOfRequest(request);
  const span = tracer.startSpan(
    call.method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "rpc.system": "grpc",
        ...(service === undefined ? {} : { "rpc.service": service }),
        ...(method === undefined ? {} : { "rpc.method": method }),
        ...(requestId === undefined ? {} : { "scimgw.request_id": requestId }),
        ...(tenantId === undefined ? {} : { "scimgw.tenant_id": tenantId }),
      },
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    run: (work) => context.with(active, work),
    end(code) {
      span.setAttribute("rpc.grpc.status_code", code);
      if (serverFaults.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: Code[code] });
      span.end();
    },
  };
};
