import { create, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { once } from "node:events";
import {
  status as Code,
  type Metadata,
  type Server,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { createServiceDefinition } from "./service-definition.js";
import { RpcError, toRpcError } from "./rpc-error.js";

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

type ServerStreamingHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<O>>;

/** One handler per method of a service, typed by the generated descriptors: async for unary, an async iterable for server streaming. */
export type ServiceImplementation<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]["methodKind"] extends "unary"
    ? UnaryHandler<S[K]["input"], S[K]["output"]>
    : S[K]["methodKind"] extends "server_streaming"
      ? ServerStreamingHandler<S[K]["input"], S[K]["output"]>
      : never;
};

/**
 * Watches one call, for metrics, traces and log context. Created when the call arrives, before
 * authorization; told how the call ended exactly once.
 */
export interface CallObserver {
  /**
   * Runs the call's work (authorization, then the handler): wrap it to give that work a context,
   * e.g. a trace span or a request id for its log lines. Default: the work runs as is.
   */
  run?<T>(work: () => T): T;
  /** The call's final status: OK, the failure's code (with the error), or CANCELLED / DEADLINE_EXCEEDED. */
  end(code: Code, error?: RpcError): void;
}

/**
 * Starts watching a call; one per concern (metrics, tracing, logging). `request` is the call's
 * request message, for what it names (a tenant); its contents are tenants' data, never to be
 * logged or recorded.
 */
export type ObserveCall = (context: CallContext, request: unknown) => CallObserver;

export interface ServerHooks {
  /** Watch every call of the service; the first observer's `run` is the outermost. */
  observers?: readonly ObserveCall[];
  /**
   * Runs before every handler of the service, with the call's metadata and its request (so a
   * credential limited to some tenants can be checked against the tenant the call names): throw
   * (an RpcError with UNAUTHENTICATED or PERMISSION_DENIED) to refuse the call before any of its
   * work starts.
   */
  authorize?: (context: CallContext, request: unknown) => void | Promise<void>;
  /**
   * Streams outlive the check at their start: authorize runs again before a message is sent once
   * this long has passed since the last check, so a revoked credential stops a stream too.
   * Default 10 s.
   */
  reauthorizeStreamsEveryMs?: number;
  /** Turns a service's own failure types into RpcErrors before the generic normalisation. */
  translateError?: (thrown: unknown) => unknown;
  /** Called with every failure before it is sent; INTERNAL ones carry the real cause. */
  onError?: (error: RpcError, method: string) => void;
}

/**
 * The call's context, and `finish` to call once the call is answered. The signal's reason is an
 * RpcError (CANCELLED or DEADLINE_EXCEEDED), so `signal.throwIfAborted()` in a handler fails the
 * call with the right status. grpc-js answers an expired call by itself but never tells the
 * handler, so the deadline gets a timer of its own: without it a handler would go on (and commit)
 * after its caller had been told DEADLINE_EXCEEDED.
 */
function contextOf(
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  method: DescMethod,
): { context: CallContext; finish(): void } {
  const controller = new AbortController();
  // grpc-js emits "cancelled" when the stream closes, also after the call was answered: only a
  // call still running is cancelled (an RpcError, with its stack trace, per call was pure cost).
  let answered = false;
  call.on("cancelled", () => {
    if (!answered && !controller.signal.aborted) controller.abort(new RpcError(Code.CANCELLED, "the caller cancelled the call"));
  });
  const raw = call.getDeadline();
  const deadline = raw instanceof Date ? raw : Number.isFinite(raw) ? new Date(raw) : undefined;
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    const expire = () => {
      if (!controller.signal.aborted) controller.abort(new RpcError(Code.DEADLINE_EXCEEDED, "the call's deadline passed"));
    };
    const remaining = deadline.getTime() - Date.now();
    if (remaining <= 0) expire();
    // Timers fire at most every 2^31-1 ms; a deadline further away is as good as none.
    else if (remaining < 2 ** 31) timer = setTimeout(expire, remaining);
  }
  return {
    context: {
      metadata: call.metadata,
      signal: controller.signal,
      deadline,
      peer: call.getPeer(),
      method: `${method.parent.typeName}/${method.name}`,
    },
    finish: () => {
      answered = true;
      clearTimeout(timer);
    },
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
    if (method.methodKind === "server_streaming") {
      handlers[method.localName] = streamingHandler(
        method,
        (implementation as Record<string, ServerStreamingHandler<DescMessage, DescMessage>>)[method.localName],
        hooks,
      );
      continue;
    }
    if (method.methodKind !== "unary") {
      throw new Error(`${service.typeName}.${method.name}: client and bidi streaming are not supported by addService`);
    }
    const handler = (implementation as Record<string, UnaryHandler<DescMessage, DescMessage>>)[method.localName];
    if (handler === undefined) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    handlers[method.localName] = (call: ServerUnaryCall<MessageShape<DescMessage>, unknown>, callback: sendUnaryData<unknown>) => {
      const { context, finish } = contextOf(call, method);
      const observer = observe(hooks, context, call.request);
      observer
        .run(() =>
          Promise.resolve()
            .then(() => hooks.authorize?.(context, call.request))
            .then(() => handler(call.request, context)),
        )
        .then(
          (response) => {
            finish();
            observer.end(Code.OK);
            callback(null, create(method.output, response));
          },
          (thrown: unknown) => {
            finish();
            const error = toRpcError(hooks.translateError ? hooks.translateError(thrown) : thrown);
            hooks.onError?.(error, context.method);
            observer.end(error.code, error);
            callback(error.toStatus());
          },
        );
    };
  }
  server.addService(createServiceDefinition(service), handlers);
}

/**
 * A server-streaming handler: messages are written as the handler's iterable yields them, with
 * backpressure (the next one is pulled only when the transport has room); a cancelled call stops
 * the iteration (the context's signal aborts and the iterator is returned); a failure ends the
 * stream with its status.
 */
function streamingHandler(method: DescMethod, handler: ServerStreamingHandler<DescMessage, DescMessage> | undefined, hooks: ServerHooks) {
  if (handler === undefined) throw new Error(`${method.parent.typeName}.${method.name} has no implementation`);
  return (call: ServerWritableStream<MessageShape<DescMessage>, unknown>) => {
    const { context, finish } = contextOf(call, method);
    const observer = observe(hooks, context, call.request);
    void observer.run(async () => {
      try {
        await hooks.authorize?.(context, call.request);
        let authorizedAt = Date.now();
        for await (const message of handler(call.request, context)) {
          if (context.signal.aborted) break;
          if (hooks.authorize !== undefined && Date.now() - authorizedAt >= (hooks.reauthorizeStreamsEveryMs ?? 10_000)) {
            await hooks.authorize(context, call.request);
            authorizedAt = Date.now();
          }
          if (!call.write(create(method.output, message))) await once(call, "drain");
        }
        if (context.signal.aborted) observer.end(abortCode(context.signal));
        else {
          call.end();
          observer.end(Code.OK);
        }
      } catch (thrown) {
        if (context.signal.aborted) {
          observer.end(abortCode(context.signal));
          return;
        }
        const error = toRpcError(hooks.translateError ? hooks.translateError(thrown) : thrown);
        hooks.onError?.(error, context.method);
        observer.end(error.code, error);
        call.emit("error", error.toStatus());
      } finally {
        finish();
      }
    });
  };
}

/** The observers of one call as one: `run` nests them (the first outermost), `end` tells each once. */
function observe(
  hooks: ServerHooks,
  context: CallContext,
  request: unknown,
): { run<T>(work: () => T): T; end(code: Code, error?: RpcError): void } {
  const observers = (hooks.observers ?? []).map((start) => start(context, request));
  let ended = false;
  return {
    run: (work) =>
      observers.reduceRight((inner, observer) => {
        const wrap = observer.run?.bind(observer);
        return wrap === undefined ? inner : () => wrap(inner);
      }, work)(),
    end(code, error) {
      if (ended) return;
      ended = true;
      for (const observer of observers) observer.end(code, error);
    },
  };
}

/** The status of a call its caller gave up on: the signal's reason says which. */
function abortCode(signal: AbortSignal): Code {
  return signal.reason instanceof RpcError ? signal.reason.code : Code.CANCELLED;
}

/** The implementation type of a generated service: `ServiceImplementationOf<typeof UserService>`. */
export type ServiceImplementationOf<T> = T extends GenService<infer S> ? ServiceImplementation<S> : never;
