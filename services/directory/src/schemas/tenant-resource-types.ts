import { fromJsonString } from "@bufbuild/protobuf";
import { SchemaExtensionSchema } from "@scimgw/proto";
import { groupResourceType, userResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { extensionFromProto, resourceTypesWithExtensions, type ExtensionDefinition } from "@scimgw/scim-proto";
import type { Knex } from "knex";

/** A tenant's User and Group resource types: the built-in ones with the tenant's extensions added. */
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

/** A schema_extensions row as the drivers return it. */
export interface SchemaExtensionRow {
  tenant_id: string;
  id_key: string;
  resource_type: string;
  document: string;
  created_at: string;
  last_modified: string;
}

/** Builds a tenant's resource types from its extensions. */
export function tenantResourceTypes(revision: bigint, extensions: readonly ExtensionDefinition[]): TenantResourceTypes {
  return { revision, ...resourceTypesWithExtensions(extensions), extensions };
}

/**
 * Reads a tenant's revision and extensions (two index reads, in one transaction when given one);
 * undefined when the tenant does not exist.
 */
export async function readTenantResourceTypes(db: Knex | Knex.Transaction, tenantId: string): Promise<TenantResourceTypes | undefined> {
  const tenant = await db("tenants").where("id", tenantId).first("schema_revision");
  if (tenant === undefined) return undefined;
  const revision = BigInt(tenant.schema_revision);
  if (revision === 0n) return builtInResourceTypes;
  const rows: SchemaExtensionRow[] = await db("schema_extensions").where("tenant_id", tenantId).orderBy(["resource_type", "id_key"]);
  return tenantResourceTypes(
    revision,
    rows.map((row) => extensionFromProto(fromJsonString(SchemaExtensionSchema, row.document))),
  );
}

/** Reads only a tenant's schema revision; undefined when the tenant does not exist. */
export async function readSchemaRevision(db: Knex | Knex.Transaction, tenantId: string): Promise<bigint | undefined> {
  const tenant = await db("tenants").where("id", tenantId).first("schema_revision");
  return tenant === undefined ? undefined : BigInt(tenant.schema_revision);
}
