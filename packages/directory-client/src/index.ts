export { createDirectoryClient } from "./create-directory-client.js";
/** TLS files from DIRECTORY_TLS_CA_FILE, DIRECTORY_CLIENT_CERT_FILE and DIRECTORY_CLIENT_KEY_FILE, for the `tls` option. */
export { channelTlsFilesFromEnv as tlsFilesFromEnv } from "@scimgw/grpc";
export type { DirectoryClient, DirectoryClientOptions } from "./create-directory-client.js";
export { watchChanges } from "./watch-changes.js";
export type { WatchOptions } from "./watch-changes.js";
export { Code, RpcError } from "@scimgw/grpc";
export { ChangeKind, ChangedResourceType, GroupKeyKind, SortOrder, UserKeyKind } from "@scimgw/proto";
export type { ChangeEvent, User, Group } from "@scimgw/proto";
