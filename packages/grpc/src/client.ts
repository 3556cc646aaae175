import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import {
  Client as GrpcClient,
  credentials as grpcCredentials,
  Metadata,
  type ChannelCredentials,
  type ChannelOptions,
  type ServiceError,
} from "@grpc/grpc-js";
import { methodPath } from "./service-definition.js";
import { RpcError } from "./rpc-error.js";

export interface TransportOptions {
  /** Defaults to an insecure channel, for loopback and private networks. */
  credentials?: ChannelCredentials;
  /** The deadline of every call that does not set its own. Default 10 s. */
  defaultTimeoutMs?: number;
  channelOptions?: ChannelOptions;
  /**
   * Metadata sent with every call, e.g. `authorization: Bearer …`. Per-call metadata rather than
   * call credentials, because grpc-js refuses call credentials on an insecure channel and the
   * loopback and private-network deployments are insecure channels.
   */
  metadata?: Record<string, string>;
  /**
   * Metadata worked out for each call as it starts, e.g. the request id and trace context of the
   * work that makes the call; a call's own metadata wins over it.
   */
  callMetadata?: () => CallMetadata | undefined;
}

/**
 * Metadata as a caller gives it: text values, or Buffers for binary keys (names ending in `-bin`,
 * which gRPC sends base64-encoded).
 */
export type CallMetadata = Record<string, string | Buffer>;

/** One channel to a server, shared by the clients of all its services. */
export interface Transport {
  readonly channel: GrpcClient;
  readonly defaultTimeoutMs: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly callMetadata: (() => CallMetadata | undefined) | undefined;
  close(): void;
}

export function createTransport(address: string, options: TransportOptions = {}): Transport {
  const channel = new GrpcClient(address, options.credentials ?? grpcCredentials.createInsecure(), options.channelOptions ?? {});
  return {
    channel,
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    metadata: { ...options.metadata },
    callMetadata: options.callMetadata,
    close: () => channel.close(),
  };
}

export interface CallOptions {
  /** Overrides the transport's default deadline. */
  timeoutMs?: number;
  /** Cancels the call when aborted. */
  signal?: AbortSignal;
  /** Extra request metadata. */
  metadata?: CallMetadata;
  /** Wait (within the deadline) for the channel to connect instead of failing at once while it is down. */
  waitForReady?: boolean;
}

type UnaryMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

type ServerStreamingMethod<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: Omit<CallOptions, "timeoutMs"> & { timeoutMs?: number },
) => AsyncIterable<MessageShape<O>>;

/** A promise-returning method per unary RPC, an async iterable per server-streaming one; failures are RpcErrors. */
export type ServiceClient<S extends GenServiceMethods> = {
  [K in keyof S]: S[K]["methodKind"] extends "unary"
    ? UnaryMethod<S[K]["input"], S[K]["output"]>
    : S[K]["methodKind"] extends "server_streaming"
      ? ServerStreamingMethod<S[K]["input"], S[K]["output"]>
      : never;
};

function callMetadata(transport: Transport, options: CallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries({ ...transport.metadata, ...transport.callMetadata?.(), ...options.metadata }))
    metadata.set(key, value);
  return metadata;
}

/** A typed client for one service over a shared transport. */
export function createClient<S extends GenServiceMethods>(service: GenService<S>, transport: Transport): ServiceClient<S> {
  const client: Record<string, UnaryMethod<DescMessage, DescMessage>> = {};
  for (const method of service.methods) {
    const path = methodPath(service, method.name);
    if (method.methodKind === "server_streaming") {
      // Streams are long-lived: no default deadline, only the caller's own timeout or signal.
      client[method.localName] = ((request: MessageInitShape<DescMessage>, options: CallOptions = {}) => {
        // Worked out now, in the caller's context, though the call starts when iteration does.
        const metadata = callMetadata(transport, options);
        return (async function* () {
          const call = transport.channel.makeServerStreamRequest(
            path,
            (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message)),
            (bytes: Buffer) => fromBinary(method.output, bytes),
            create(method.input, request),
            metadata,
            options.timeoutMs === undefined ? {} : { deadline: new Date(Date.now() + options.timeoutMs) },
          );
          const cancel = () => call.cancel();
          options.signal?.addEventListener("abort", cancel, { once: true });
          try {
            for await (const message of call) yield message as MessageShape<DescMessage>;
          } catch (error) {
            throw RpcError.fromServiceError(error as ServiceError);
          } finally {
            options.signal?.removeEventListener("abort", cancel);
            call.cancel();
          }
        })();
      }) as unknown as UnaryMethod<DescMessage, DescMessage>;
      continue;
    }
    if (method.methodKind !== "unary") continue;
    client[method.localName] = (request, options = {}) =>
      new Promise((resolve, reject) => {
        const metadata = callMetadata(transport, options);
        if (options.waitForReady) metadata.setOptions({ waitForReady: true });
        const deadline = new Date(Date.now() + (options.timeoutMs ?? transport.defaultTimeoutMs));
        const call = transport.channel.makeUnaryRequest(
          path,
          (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message)),
          (bytes: Buffer) => fromBinary(method.output, bytes),
          create(method.input, request),
          metadata,
          { deadline },
          (error: ServiceError | null, response?: MessageShape<DescMessage>) => {
            options.signal?.removeEventListener("abort", cancel);
            if (error) reject(RpcError.fromServiceError(error));
            else resolve(response as MessageShape<DescMessage>);
          },
        );
        const cancel = () => call.cancel();
        if (options.signal?.aborted) cancel();
        else options.signal?.addEventListener("abort", cancel, { once: true });
      });
  }
  return client as ServiceClient<S>;
}
