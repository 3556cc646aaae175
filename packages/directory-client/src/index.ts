export { createDirectoryClient, tlsFilesFromEnv } from "./create-directory-client.js";
export type { DirectoryClient, DirectoryClientOptions } from "./create-directory-client.js";
export { watchChanges } from "./watch-changes.js";
export type { WatchOptions } from "./watch-changes.js";
export { Code, RpcError } from "@scimgw/grpc";
export { ChangeKind, ChangedResourceType, GroupKeyKind, SortOrder, UserKeyKind } from "@scimgw/proto";
export type { ChangeEvent, User, Group } from "@scimgw/proto";
