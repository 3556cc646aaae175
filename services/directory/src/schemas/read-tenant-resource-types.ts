import { fromJsonString } from "@bufbuild/protobuf";
import { SchemaExtensionSchema } from "@scimgw/proto";
import { extensionFromProto } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { builtInResourceTypes, tenantResourceTypes, type TenantResourceTypes } from "../tenants/tenant-resource-types.js";

/** A schema_extensions row as the drivers return it. */
export interface SchemaExtensionRow {
  tenant_id: string;
  id_key: string;
  resource_type: string;
  document: string;
  created_at: string;
  last_modified: string;
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
