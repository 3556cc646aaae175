import { attribute, type AttributeDefinition, type ResourceTypeDefinition, type SchemaDefinition } from "./schema-definition.js";

/**
 * Okta's schemas for the entries of an app's entitlement and role catalogs ("Build a SCIM 2.0
 * server with entitlements"). Okta publishes only the attribute tables (id, displayName, type,
 * description; description at most 1000 characters) and no characteristics, so these are ours:
 * the catalog is published over gRPC and read-only over SCIM, hence every attribute readOnly.
 */
export const oktaCatalogUrn = {
  entitlement: "urn:okta:scim:schemas:core:1.0:Entitlement",
  role: "urn:okta:scim:schemas:core:1.0:Role",
} as const;

/** The most characters Okta shows of a catalog entry's description. */
export const maxCatalogDescriptionLength = 1000;

const id = attribute("id", "string", {
  description: "The entry's identifier, chosen by the application: the value users hold in entitlements or roles.",
  required: true,
  // Ids are the application's keys, matched exactly, unique within their resource type.
  caseExact: true,
  mutability: "readOnly",
  returned: "always",
  uniqueness: "server",
});
const displayName = attribute("displayName", "string", {
  description: "The name identity providers show for the entry.",
  required: true,
  mutability: "readOnly",
});
const type = attribute("type", "string", {
  description: "The name of the entry's resource type, e.g. License: the type of the entry's values in users' entitlements.",
  required: true,
  mutability: "readOnly",
});
const description = attribute("description", "string", {
  description: `What the entry grants, at most ${maxCatalogDescriptionLength} characters.`,
  mutability: "readOnly",
});

/** urn:okta:scim:schemas:core:1.0:Entitlement: id, displayName, type, description. */
export const oktaEntitlementSchema: SchemaDefinition = {
  id: oktaCatalogUrn.entitlement,
  name: "Entitlement",
  description: "An entitlement of the application, assigned in users' entitlements",
  attributes: [id, displayName, type, description],
};

/** urn:okta:scim:schemas:core:1.0:Role: id, displayName, description (no type). */
export const oktaRoleSchema: SchemaDefinition = {
  id: oktaCatalogUrn.role,
  name: "Role",
  description: "A role of the application, assigned in users' roles",
  attributes: [id, displayName, description],
};

/** A tenant's catalog type, as the directory keeps it. */
export interface CatalogType {
  readonly name: string;
  readonly kind: "entitlement" | "role";
  readonly endpoint: string;
  readonly description: string;
}

/**
 * A catalog type as the SCIM resource type Okta reads from /ResourceTypes: id and name the type's
 * name (the `type` of its entries and of users' values), schema Okta's Entitlement or Role URN.
 */
export function catalogResourceType(catalogType: CatalogType): ResourceTypeDefinition {
  return {
    id: catalogType.name,
    name: catalogType.name,
    endpoint: catalogType.endpoint,
    description: catalogType.description === "" ? catalogType.name : catalogType.description,
    schema: catalogType.kind === "entitlement" ? oktaEntitlementSchema : oktaRoleSchema,
    extensions: [],
  };
}

/** The attributes a catalog endpoint's `filter` may name, with the definitions comparisons follow. */
export function catalogFilterAttributes(kind: CatalogType["kind"]): readonly AttributeDefinition[] {
  return kind === "entitlement" ? [id, displayName, type] : [id, displayName];
}
