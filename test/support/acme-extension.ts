// The extension schemas the schema-extension suites register for a tenant, through SchemaService
// over gRPC as an internal service or the console would (the admin CLI's `schemas add` sends the
// same message).
import { ExtendedResourceType, SchemaAttributeType, SchemaAttributeUniqueness, type DirectoryClient } from "@scimgw/directory-client";

export const acmeUserUrn = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
export const acmeGroupUrn = "urn:ietf:params:scim:schemas:extension:acme:2.0:Group";

type ApplyRequest = Parameters<DirectoryClient["schemas"]["applySchemaExtension"]>[0];
type AttributeInit = NonNullable<NonNullable<ApplyRequest["extension"]>["attributes"]>[number];

/** Acme's user attributes: a license tier from a fixed list, a seat count, a badge unique in the tenant, a start date, a flag. */
export const acmeUserAttributes: AttributeInit[] = [
  { name: "tier", type: SchemaAttributeType.STRING, description: "License tier", canonicalValues: ["free", "pro", "enterprise"] },
  { name: "seats", type: SchemaAttributeType.INTEGER, description: "Seats the user manages" },
  { name: "badge", type: SchemaAttributeType.STRING, description: "Badge number", uniqueness: SchemaAttributeUniqueness.SERVER },
  { name: "startDate", type: SchemaAttributeType.DATE_TIME, description: "First working day" },
  { name: "beta", type: SchemaAttributeType.BOOLEAN, description: "Enrolled in beta features" },
];

/** Registers (or changes compatibly) the Acme User extension of a tenant with these attributes; returns the new schema revision. */
export async function applyAcmeUser(
  admin: DirectoryClient,
  tenantId: string,
  attributes: AttributeInit[] = acmeUserAttributes,
): Promise<bigint> {
  const { schemaRevision } = await admin.schemas.applySchemaExtension({
    tenantId,
    extension: {
      id: acmeUserUrn,
      name: "AcmeUser",
      description: "Acme's own user attributes",
      resourceType: ExtendedResourceType.USER,
      attributes,
    },
  });
  return schemaRevision;
}

/** Registers the Acme Group extension: a cost center. */
export async function applyAcmeGroup(admin: DirectoryClient, tenantId: string): Promise<bigint> {
  const { schemaRevision } = await admin.schemas.applySchemaExtension({
    tenantId,
    extension: {
      id: acmeGroupUrn,
      name: "AcmeGroup",
      description: "Acme's own group attributes",
      resourceType: ExtendedResourceType.GROUP,
      attributes: [{ name: "costCenter", type: SchemaAttributeType.STRING, description: "Cost center" }],
    },
  });
  return schemaRevision;
}
