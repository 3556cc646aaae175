import { credentials as grpcCredentials, type ChannelCredentials } from "@grpc/grpc-js";
import { ApiKeyService, GroupService, UserService, type ChangeEvent } from "@scimgw/proto";
import {
  channelCredentialsFromFiles,
  createClient,
  createTransport,
  directoryMessageLimitOptions,
  type ChannelTlsFiles,
  type ServiceClient,
} from "@scimgw/grpc";
import { watchChanges, type WatchOptions } from "./watch-changes.js";

export interface DirectoryClientOptions {
  /** host:port of a directory (or of a gRPC load balancer in front of several). */
  address: string;
  /**
   * The caller's service credential (`scimgw-admin credentials issue <name> --scope read-only --tenant <tenant>`),
   * sent as `authorization: Bearer …` with every call.
   */
  serviceCredential: string;
  /** TLS (and mutual TLS) from PEM files. Unset: a plaintext channel, for loopback and private networks. */
  tls?: ChannelTlsFiles;
  /** Full control of the channel's security instead of `tls`. */
  channelCredentials?: ChannelCredentials;
  /** The deadline of every unary call that sets none. Default 10 s. */
  defaultTimeoutMs?: number;
  /**
   * The largest message sent or received, in bytes. Default `maxDirectoryMessageBytes` (128 MiB),
   * the directory's own limit, which holds its largest page; lower it only to fail early.
   */
  maxMessageBytes?: number;
  /**
   * Metadata worked out as each call starts, in the caller's context: the gateway sends the
   * request id and trace context of the request a call is for.
   */
  callMetadata?: () => Record<string, string> | undefined;
}

export interface DirectoryClient {
  users: ServiceClient<(typeof UserService)["method"]>;
  groups: ServiceClient<(typeof GroupService)["method"]>;
  apiKeys: ServiceClient<(typeof ApiKeyService)["method"]>;
  /** A tenant's change feed as an async iterator that reconnects and resumes by itself. */
  watchChanges(tenantId: string, options?: WatchOptions): AsyncGenerator<ChangeEvent>;
  close(): void;
}

/** One call to get typed access to the directory: promise methods per RPC, default deadlines, the change feed. */
export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  if (options.tls !== undefined && options.channelCredentials !== undefined) throw new Error("set tls or channelCredentials, not both");
  const transport = createTransport(options.address, {
    credentials: options.channelCredentials ?? (options.tls ? channelCredentialsFromFiles(options.tls) : grpcCredentials.createInsecure()),
    metadata: { authorization: `Bearer ${options.serviceCredential}` },
    channelOptions:
      options.maxMessageBytes === undefined
        ? directoryMessageLimitOptions
        : { "grpc.max_receive_message_length": options.maxMessageBytes, "grpc.max_send_message_length": options.maxMessageBytes },
    ...(options.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}),
    ...(options.callMetadata !== undefined ? { callMetadata: options.callMetadata } : {}),
  });
  return {
    users: createClient(UserService, transport),
    groups: createClient(GroupService, transport),
    apiKeys: createClient(ApiKeyService, transport),
    watchChanges: (tenantId, watchOptions) => watchChanges(transport, tenantId, watchOptions),
    close: () => transport.close(),
  };
}
