import { groupResourceType, userResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { resourceTypesWithExtensions, type ExtensionDefinition } from "@scimgw/scim-proto";

/**
 * A tenant's User and Group resource types: the built-in ones with the tenant's extensions added.
 * Pure data, kept apart from the schemas folder that reads and changes them, so that what a write
 * carries (activity's WriteCall) can name them without depending on the schema store, which
 * records its changes through the change log.
 */
export interface TenantResourceTypes {
  /** The tenant's schema revision these were read at (tenants.schema_revision). */
  readonly revision: bigint;
  readonly user: ResourceTypeDefinition;
  readonly group: ResourceTypeDefinition;
  /** The tenant's extensions in the order they are listed (resource type, then URN). */
  readonly extensions: readonly ExtensionDefinition[];
}

/** The resource types of a tenant with no extensions: what every tenant had before issue 16. */
export const builtInResourceTypes: TenantResourceTypes = {
  revision: 0n,
  user: userResourceType,
  group: groupResourceType,
  extensions: [],
};

/** Builds a tenant's resource types from its extensions. */
export function tenantResourceTypes(revision: bigint, extensions: readonly ExtensionDefinition[]): TenantResourceTypes {
  return { revision, ...resourceTypesWithExtensions(extensions), extensions };
}
