import { scopes, type Scope } from "./service-credential-store.js";

/**
 * The scope each RPC needs, by full method name. Every method the directory serves must be listed
 * (createDirectoryServer checks at start), so a new RPC cannot go out unguarded or guarded by
 * accident: whoever adds one decides here whether it reads or writes.
 */
const requiredScopes: Readonly<Record<string, Scope>> = {
  "scimgw.directory.v1.UserService/GetUser": "read-only",
  "scimgw.directory.v1.UserService/BatchGetUsers": "read-only",
  "scimgw.directory.v1.UserService/ListUsers": "read-only",
  "scimgw.directory.v1.UserService/ListUserGroups": "read-only",
  "scimgw.directory.v1.UserService/CreateUser": "read-write",
  "scimgw.directory.v1.UserService/ReplaceUser": "read-write",
  "scimgw.directory.v1.UserService/PatchUser": "read-write",
  "scimgw.directory.v1.UserService/DeleteUser": "read-write",
  "scimgw.directory.v1.GroupService/GetGroup": "read-only",
  "scimgw.directory.v1.GroupService/BatchGetGroups": "read-only",
  "scimgw.directory.v1.GroupService/ListGroups": "read-only",
  "scimgw.directory.v1.GroupService/ListGroupMembers": "read-only",
  "scimgw.directory.v1.GroupService/CreateGroup": "read-write",
  "scimgw.directory.v1.GroupService/ReplaceGroup": "read-write",
  "scimgw.directory.v1.GroupService/PatchGroup": "read-write",
  "scimgw.directory.v1.GroupService/DeleteGroup": "read-write",
  "scimgw.directory.v1.ChangeService/WatchChanges": "read-only",
  "scimgw.directory.v1.ActivityService/ListActivity": "read-only",
  // The gateway's record of reads and failures; successful writes are recorded by the directory.
  "scimgw.directory.v1.ActivityService/RecordActivity": "read-write",
  // Checking identity providers' API keys is the gateway's job, and the gateway holds a
  // read-write credential; a reader has no reason to test keys.
  "scimgw.directory.v1.ApiKeyService/VerifyApiKey": "read-write",
  // Administering the install is the console's job: a key or a tenant is not the gateway's to make.
  "scimgw.directory.v1.ApiKeyService/IssueApiKey": "admin",
  "scimgw.directory.v1.ApiKeyService/ListApiKeys": "admin",
  "scimgw.directory.v1.ApiKeyService/RevokeApiKey": "admin",
  "scimgw.directory.v1.TenantService/ListTenants": "admin",
  "scimgw.directory.v1.TenantService/GetTenant": "admin",
  "scimgw.directory.v1.TenantService/CreateTenant": "admin",
  "scimgw.directory.v1.TenantService/RenameTenant": "admin",
  "scimgw.directory.v1.TenantService/SuspendTenant": "admin",
  "scimgw.directory.v1.TenantService/ResumeTenant": "admin",
  "scimgw.directory.v1.TenantService/SetTenantRateLimit": "admin",
  "scimgw.directory.v1.OperatorService/StartOperatorSession": "admin",
  "scimgw.directory.v1.OperatorService/GetOperatorSession": "admin",
  "scimgw.directory.v1.OperatorService/EndOperatorSession": "admin",
  "scimgw.directory.v1.SetupLinkService/CreateSetupLink": "admin",
  "scimgw.directory.v1.SetupLinkService/ListSetupLinks": "admin",
  "scimgw.directory.v1.SetupLinkService/RevokeSetupLink": "admin",
  "scimgw.directory.v1.SetupLinkService/OpenSetupLink": "admin",
  "scimgw.directory.v1.SetupLinkService/IssueSetupApiKey": "admin",
  "scimgw.directory.v1.SetupLinkService/ListSetupActivity": "admin",
  "scimgw.directory.v1.EntitlementService/ListEntitlementTypes": "read-only",
  "scimgw.directory.v1.EntitlementService/GetEntitlement": "read-only",
  "scimgw.directory.v1.EntitlementService/ListEntitlements": "read-only",
  "scimgw.directory.v1.EntitlementService/ListUsersWithEntitlement": "read-only",
  "scimgw.directory.v1.EntitlementService/PutEntitlementType": "read-write",
  "scimgw.directory.v1.EntitlementService/DeleteEntitlementType": "read-write",
  "scimgw.directory.v1.EntitlementService/UpsertEntitlement": "read-write",
  "scimgw.directory.v1.EntitlementService/DeleteEntitlement": "read-write",
  // A tenant's schema is the operator's to change, like the tenant itself; reading it is for
  // every caller that builds or reads resources by it (the gateway, internal services).
  "scimgw.directory.v1.SchemaService/ApplySchemaExtension": "admin",
  "scimgw.directory.v1.SchemaService/GetSchemaExtension": "read-only",
  "scimgw.directory.v1.SchemaService/ListSchemaExtensions": "read-only",
};

export function requiredScopeOf(method: string): Scope | undefined {
  return Object.hasOwn(requiredScopes, method) ? requiredScopes[method] : undefined;
}

/** Whether a credential of scope `granted` may call a method that needs `required`: scopes are ranked, each including those below. */
export function scopeAllows(granted: Scope, required: Scope): boolean {
  return scopes.indexOf(granted) >= scopes.indexOf(required);
}
