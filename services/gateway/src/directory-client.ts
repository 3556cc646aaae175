import { ApiKeyService, GroupService, UserService } from "@scimgw/proto";
import { createClient, createTransport, type ServiceClient, type Transport } from "@scimgw/grpc";

/** The directory services the gateway calls, over one shared channel. */
export interface DirectoryClients {
  users: ServiceClient<(typeof UserService)["method"]>;
  groups: ServiceClient<(typeof GroupService)["method"]>;
  apiKeys: ServiceClient<(typeof ApiKeyService)["method"]>;
  close(): void;
}

export function createDirectoryClients(address: string, options: { timeoutMs: number }): DirectoryClients {
  const transport: Transport = createTransport(address, { defaultTimeoutMs: options.timeoutMs });
  return {
    users: createClient(UserService, transport),
    groups: createClient(GroupService, transport),
    apiKeys: createClient(ApiKeyService, transport),
    close: () => transport.close(),
  };
}
