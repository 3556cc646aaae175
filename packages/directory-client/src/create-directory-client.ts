import { credentials as grpcCredentials, type ChannelCredentials } from "@grpc/grpc-js";
import {
  ActivityService,
  ApiKeyService,
  EntitlementService,
  GroupService,
  OperatorService,
  SchemaService,
  SetupLinkService,
  TenantService,
  UserService,
  type ChangeEvent,
} from "@scimgw/proto";
import {
  channelCredentialsFromFiles,
  createClient,
  createTransport,
  directoryMessageLimitOptions,
  type CallMetadata,
  type ChannelTlsFiles,
  type ServiceClient,
} from "@scimgw/grpc";
import { watchChanges, type WatchOptions } from "./watch-changes.js";

export interface DirectoryClientOptions {
  /** host:port of a directory (or of a gRPC load balancer in front of several). */
  address: string;
  /**
   * The caller's service credential (`scimgw-admin credentials issue <name> --scope read-only --tenant <tenant>`),
   * sent as `authorization: Bearer …` with every call. A function is asked at every call, so a
   * credential replaced on disk takes effect without a restart.
   */
  serviceCredential: string | (() => string);
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
  callMetadata?: () => CallMetadata | undefined;
}

export interface DirectoryClient {
  users: ServiceClient<(typeof UserService)["method"]>;
  groups: ServiceClient<(typeof GroupService)["method"]>;
  apiKeys: ServiceClient<(typeof ApiKeyService)["method"]>;
  /** The provisioning activity log: what identity providers sent each tenant, and what they were answered. */
  activity: ServiceClient<(typeof ActivityService)["method"]>;
  /** Tenants with their health (admin scope). */
  tenants: ServiceClient<(typeof TenantService)["method"]>;
  /** The console's operators and their sessions (admin scope). */
  operators: ServiceClient<(typeof OperatorService)["method"]>;
  /** Setup links for customers' IT admins (admin scope). */
  setupLinks: ServiceClient<(typeof SetupLinkService)["method"]>;
  /** The tenant's catalog of entitlements and roles (publish it before an IdP discovers it), and who holds which. */
  entitlements: ServiceClient<(typeof EntitlementService)["method"]>;
  /** The tenant's own SCIM schema extensions (read scope to list them, admin scope to change them). */
  schemas: ServiceClient<(typeof SchemaService)["method"]>;
  /** A tenant's change feed as an async iterator that reconnects and resumes by itself. */
  watchChanges(tenantId: string, options?: WatchOptions): AsyncGenerator<ChangeEvent>;
  close(): void;
}

/**
 * grpc-js waits 1 s before its first reconnection and backs off up to 2 minutes, so a directory
 * back after a restart could stay unused for minutes. The directory is an internal service on a
 * private network: retrying a refused connection a few times a second costs nothing, and callers
 * (the gateway's /readyz) see it back within a second.
 */
const reconnectOptions = { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 500 };

/** One call to get typed access to the directory: promise methods per RPC, default deadlines, the change feed. */
export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  if (options.tls !== undefined && options.channelCredentials !== undefined) throw new Error("set tls or channelCredentials, not both");
  const { serviceCredential, callMetadata } = options;
  // A credential that can change (a followed file) is read as each call starts, with the caller's
  // own per-call metadata (request id, trace context).
  const perCall =
    typeof serviceCredential === "function"
      ? () => ({ ...callMetadata?.(), authorization: `Bearer ${serviceCredential()}` })
      : callMetadata;
  const transport = createTransport(options.address, {
    credentials: options.channelCredentials ?? (options.tls ? channelCredentialsFromFiles(options.tls) : grpcCredentials.createInsecure()),
    ...(typeof serviceCredential === "function" ? {} : { metadata: { authorization: `Bearer ${serviceCredential}` } }),
    ...(perCall === undefined ? {} : { callMetadata: perCall }),
    channelOptions: {
      ...(options.maxMessageBytes === undefined
        ? directoryMessageLimitOptions
        : { "grpc.max_receive_message_length": options.maxMessageBytes, "grpc.max_send_message_length": options.maxMessageBytes }),
      ...reconnectOptions,
    },
    ...(options.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: options.defaultTimeoutMs } : {}),
  });
  return {
    users: createClient(UserService, transport),
    groups: createClient(GroupService, transport),
    apiKeys: createClient(ApiKeyService, transport),
    activity: createClient(ActivityService, transport),
    tenants: createClient(TenantService, transport),
    operators: createClient(OperatorService, transport),
    setupLinks: createClient(SetupLinkService, transport),
    entitlements: createClient(EntitlementService, transport),
    schemas: createClient(SchemaService, transport),
    watchChanges: (tenantId, watchOptions) => watchChanges(transport, tenantId, watchOptions),
    close: () => transport.close(),
  };
}
