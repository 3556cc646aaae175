import { ApiKeyService, GroupService, UserService } from "@scimgw/proto";
import { channelCredentialsFromFiles, createClient, createTransport, type ChannelTlsFiles, type ServiceClient, type Transport } from "@scimgw/grpc";

/** The directory services the gateway calls, over one shared channel. */
export interface DirectoryClients {
  users: ServiceClient<(typeof UserService)["method"]>;
  groups: ServiceClient<(typeof GroupService)["method"]>;
  apiKeys: ServiceClient<(typeof ApiKeyService)["method"]>;
  close(): void;
}

export interface DirectoryConnection {
  timeoutMs: number;
  /** The gateway's read-write service credential, sent with every call. */
  credential: string;
  /** TLS files; unset is a plaintext channel (loopback or a private network). */
  tls?: ChannelTlsFiles | undefined;
}

export function createDirectoryClients(address: string, options: DirectoryConnection): DirectoryClients {
  const transport: Transport = createTransport(address, {
    defaultTimeoutMs: options.timeoutMs,
    metadata: { authorization: `Bearer ${options.credential}` },
    ...(options.tls === undefined ? {} : { credentials: channelCredentialsFromFiles(options.tls) }),
  });
  return {
    users: createClient(UserService, transport),
    groups: createClient(GroupService, transport),
    apiKeys: createClient(ApiKeyService, transport),
    close: () => transport.close(),
  };
}
