export { createDirectoryClient } from "./create-directory-client.js";
export { tlsFilesFromEnv } from "./tls-files-from-env.js";
export { credentialFromSettings } from "./credential-from-settings.js";
export type { CredentialSettings } from "./credential-from-settings.js";
export { followCredentialFile } from "./follow-credential-file.js";
export type { CredentialFileLogger, FollowedCredential } from "./follow-credential-file.js";
export type { ChannelTlsFiles } from "@scimgw/grpc";
export type { DirectoryClient, DirectoryClientOptions } from "./create-directory-client.js";
export { watchChanges } from "./watch-changes.js";
export type { WatchOptions } from "./watch-changes.js";
export { Code, RpcError, maxDirectoryMessageBytes } from "@scimgw/grpc";
export {
  ChangeKind,
  ChangedResourceType,
  EntitlementKind,
  ErrorReason,
  ExtendedResourceType,
  GroupKeyKind,
  IdentityProvider,
  SchemaAttributeMutability,
  SchemaAttributeReturned,
  SchemaAttributeType,
  SchemaAttributeUniqueness,
  SortOrder,
  StatusClass,
  UserKeyKind,
} from "@scimgw/proto";
export type {
  ActivityEntry,
  AssignmentChange,
  ChangeEvent,
  Entitlement,
  EntitlementType,
  User,
  Group,
  SchemaAttribute,
  SchemaExtension,
} from "@scimgw/proto";
