import type { SchemaExtension } from "@scimgw/proto";
import { extendResourceType, groupResourceType, userResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { extensionFromProto, type ExtensionDefinition } from "./translate-schema.js";

/** A tenant's User and Group resource types: the built-in ones with its extensions added. */
export interface ExtendedResourceTypes {
  readonly user: ResourceTypeDefinition;
  readonly group: ResourceTypeDefinition;
}

/**
 * A tenant's extensions (as SchemaService lists them) as its User and Group resource types, for
 * every caller that parses or renders SCIM by them (the gateway, the console): each extension joins
 * the type it extends, in the order listed. No extensions: the built-in types themselves.
 */
export function extendedResourceTypes(extensions: readonly SchemaExtension[]): ExtendedResourceTypes {
  return resourceTypesWithExtensions(extensions.map(extensionFromProto));
}

/** The same from extensions already translated (the directory reads them from its own rows). */
export function resourceTypesWithExtensions(definitions: readonly ExtensionDefinition[]): ExtendedResourceTypes {
  const of = (resourceType: "User" | "Group") =>
    definitions.filter((e) => e.resourceType === resourceType).map(({ schema, required }) => ({ schema, required }));
  return { user: extendResourceType(userResourceType, of("User")), group: extendResourceType(groupResourceType, of("Group")) };
}
