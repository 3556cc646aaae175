import { create, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { Metadata, Server, ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from "@grpc/grpc-js";
import { createServiceDefinition } from "./service-definition.js";
import { toRpcError, type RpcError } from "./rpc-error.js";

/** What a handler knows about its call besides the request. */
export interface CallContext {
  readonly metadata: Metadata;
  /** Aborted when the client cancels or its deadline passes: long work should stop then. */
  readonly signal: AbortSignal;
  readonly deadline: Date | undefined;
  readonly peer: string;
  /** The fully qualified method, e.g. "scimgw.directory.v1.UserService/GetUser". */
  readonly method: string;
}

type UnaryHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => Promise<MessageInitShape<O>>;

/** One async handler per method of a service, typed by the generated descriptors. */
export type ServiceImplementation<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]["methodKind"] extends "unary" ? UnaryHandler<S[K]["input"], S[K]["output"]> : never;
};

export interface ServerHooks {
  /** Turns a service's own failure types into RpcErrors before the generic normalisation. */
  translateError?: (thrown: unknown) => unknown;
  /** Called with every failure before it is sent; INTERNAL ones carry the real cause. */
  onError?: (error: RpcError, method: string) => void;
}

function contextOf(call: ServerUnaryCall<unknown, unknown>, method: DescMethod): CallContext {
  const controller = new AbortController();
  call.on("cancelled", () => controller.abort(new Error("call cancelled")));
  const deadline = call.getDeadline();
  return {
    metadata: call.metadata,
    signal: controller.signal,
    deadline: deadline instanceof Date ? deadline : Number.isFinite(deadline) ? new Date(deadline) : undefined,
    peer: call.getPeer(),
    method: `${method.parent.typeName}/${method.name}`,
  };
}

/**
 * Registers a protobuf-es service on a grpc-js server. Handlers return plain message inits;
 * whatever they throw is normalised by toRpcError, so a domain RpcError reaches the client with
 * its reason and anything unexpected becomes INTERNAL without leaking details.
 */
export function addService<S extends GenServiceMethods>(
  server: Server,
  service: GenService<S>,
  implementation: ServiceImplementation<S>,
  hooks: ServerHooks = {},
): void {
  const handlers: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") {
      throw new Error(`${service.typeName}.${method.name}: only unary methods can be registered by addService`);
    }
    const handler = (implementation as Record<string, UnaryHandler<DescMessage, DescMessage>>)[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    handlers[method.localName] = (call: ServerUnaryCall<MessageShape<DescMessage>, unknown>, callback: sendUnaryData<unknown>) => {
      const context = contextOf(call, method);
      Promise.resolve()
        .then(() => handler(call.request, context))
        .then(
          (response) => callback(null, create(method.output, response)),
          (thrown: unknown) => {
            const error = toRpcError(hooks.translateError ? hooks.translateError(thrown) : thrown);
            hooks.onError?.(error, context.method);
            callback(error.toStatus());
          },
        );
    };
  }
  server.addService(createServiceDefinition(service), handlers);
}

/** The implementation type of a generated service: `ServiceImplementationOf<typeof UserService>`. */
export type ServiceImplementationOf<T> = T extends GenService<infer S> ? ServiceImplementation<S> : never;
