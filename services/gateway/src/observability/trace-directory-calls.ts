import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { DescService } from "@bufbuild/protobuf";
import { currentRequestId } from "@scimgw/observability";
import { ApiKeyService, EntitlementService, GroupService, SchemaService, UserService } from "@scimgw/proto";
import { Code, RpcError, type DirectoryClient } from "@scimgw/directory-client";

const tracer = trace.getTracer("@scimgw/gateway");

type Method = (request: unknown, ...rest: unknown[]) => unknown;

/**
 * Starts a call's client span and the context it is current in. The call is started inside that
 * context, which is when the transport works out its metadata: the directory gets this span as
 * its `traceparent`.
 */
function startCall(service: DescService, method: string, request: unknown): { span: Span; active: ReturnType<typeof context.active> } {
  const tenantId = (request as { tenantId?: unknown } | null)?.tenantId;
  const requestId = currentRequestId();
  const span = tracer.startSpan(`${service.typeName}/${method}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "rpc.system": "grpc",
      "rpc.service": service.typeName,
      "rpc.method": method,
      ...(typeof tenantId === "string" && tenantId !== "" ? { "scimgw.tenant_id": tenantId } : {}),
      ...(requestId === undefined ? {} : { "scimgw.request_id": requestId }),
    },
  });
  return { span, active: trace.setSpan(context.active(), span) };
}

/** Ends a call's span with its status: for a client, any status but OK failed (OpenTelemetry's gRPC convention). */
function endCall(span: Span, error?: unknown): void {
  const code = error === undefined ? Code.OK : error instanceof RpcError ? error.code : Code.UNKNOWN;
  span.setAttribute("rpc.grpc.status_code", code);
  if (code !== Code.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: Code[code] });
  span.end();
}

function tracedUnary(service: DescService, name: string, call: Method): Method {
  return (request, ...rest) => {
    const { span, active } = startCall(service, name, request);
    return (context.with(active, () => call(request, ...rest)) as Promise<unknown>).then(
      (response) => {
        endCall(span);
        return response;
      },
      (error: unknown) => {
        endCall(span, error);
        throw error;
      },
    );
  };
}

function tracedStream(service: DescService, name: string, call: Method): Method {
  return (request, ...rest) => {
    const { span, active } = startCall(service, name, request);
    // The stream's metadata is worked out here, as it is created, not when iteration starts.
    const messages = context.with(active, () => call(request, ...rest)) as AsyncIterable<unknown>;
    return (async function* () {
      let failure: { error: unknown } | undefined;
      try {
        yield* messages;
      } catch (error) {
        failure = { error };
        throw error;
      } finally {
        // Also when the consumer stops early (the client went away): the span still ends.
        endCall(span, ...(failure === undefined ? [] : [failure.error]));
      }
    })();
  };
}

/**
 * A service's client whose methods trace their calls. A proxy that looks each method up as it is
 * called, so the wrapper adds nothing to the client's shape and follows whatever the client holds.
 */
function traced<T extends object>(service: DescService, client: T | undefined): T | undefined {
  if (client === undefined) return undefined;
  const methods = new Map(service.methods.map((method) => [method.localName, method]));
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const method = typeof property === "string" ? methods.get(property) : undefined;
      if (method === undefined || typeof value !== "function") return value;
      const call = value.bind(target) as Method;
      return method.methodKind === "server_streaming" ? tracedStream(service, method.name, call) : tracedUnary(service, method.name, call);
    },
  });
}

/**
 * The directory client with a client span around every call the gateway makes, each a child of
 * the request's span. A wrapper here rather than a hook in packages/grpc: the gateway is the one
 * client that traces, and a wrapper needs nothing from the transport but its callMetadata.
 */
export function traceDirectoryCalls(directory: DirectoryClient): DirectoryClient {
  // Tests hand the gateway partial fakes: a service a fake leaves out stays out.
  return {
    ...directory,
    users: traced(UserService, directory.users) as DirectoryClient["users"],
    groups: traced(GroupService, directory.groups) as DirectoryClient["groups"],
    apiKeys: traced(ApiKeyService, directory.apiKeys) as DirectoryClient["apiKeys"],
    entitlements: traced(EntitlementService, directory.entitlements) as DirectoryClient["entitlements"],
    schemas: traced(SchemaService, directory.schemas) as DirectoryClient["schemas"],
  };
}
