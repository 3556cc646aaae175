import { Code, ErrorReason, RpcError } from "@scimgw/directory-client";
import { findExtensionSchema, isCoreSchema, isJsonObject, type ResourceTypeDefinition } from "@scimgw/scim";
import type { Tenant } from "../auth/authenticate.js";
import type { TenantSchemaCache, TenantSchemas } from "./tenant-schemas.js";

/** How often a body naming an unknown schema may make the gateway read the tenant's schemas again. */
export const unknownSchemaRecheckMs = 1000;

function isSchemaChanged(error: unknown): boolean {
  return error instanceof RpcError && error.code === Code.FAILED_PRECONDITION && error.reason === ErrorReason.SCHEMA_CHANGED;
}

/**
 * Whether a POST or PUT body names a schema URN (a top-level key or an entry of `schemas`) that the
 * resource type does not know. Such a body may be for an extension registered after the tenant's
 * types were read: the key cache can hold revision 0, which the directory reads as "whatever is
 * current", so no SCHEMA_CHANGED would come and the SCIM core would drop the unknown key
 * (RFC 7644 §3.3 lets it ignore unknown attributes).
 */
export function namesUnknownSchema(body: unknown, resourceType: ResourceTypeDefinition): boolean {
  if (!isJsonObject(body)) return false;
  const schemas = Object.entries(body).find(([key]) => key.toLowerCase() === "schemas")?.[1];
  const named = [...Object.keys(body), ...(Array.isArray(schemas) ? schemas.filter((s): s is string => typeof s === "string") : [])];
  return named.some(
    (name) => /^urn:/i.test(name) && !isCoreSchema(resourceType, name) && findExtensionSchema(resourceType, name) === undefined,
  );
}

export interface WriteByTenantSchemasOptions {
  /** The request's body and which of the tenant's types it is for, when the write is built from a resource body (POST, PUT). */
  body?: { value: unknown; resourceType: (schemas: TenantSchemas) => ResourceTypeDefinition };
}

/**
 * Runs a write built by the tenant's types, sending their revision. When the directory answers
 * SCHEMA_CHANGED (the tenant's schemas changed since the types were read), the types are read again
 * and the write is built and sent once more from the request's body, which is still in memory; a
 * second SCHEMA_CHANGED (the schemas changed again meanwhile) goes to the status table.
 */
export async function writeByTenantSchemas<T>(
  cache: TenantSchemaCache,
  tenant: Tenant,
  write: (schemas: TenantSchemas) => Promise<T>,
  options: WriteByTenantSchemasOptions = {},
): Promise<T> {
  let schemas = await cache.get(tenant.tenantId, tenant.schemaRevision);
  if (options.body !== undefined && namesUnknownSchema(options.body.value, options.body.resourceType(schemas))) {
    schemas = await cache.recheck(tenant.tenantId, unknownSchemaRecheckMs);
  }
  try {
    return await write(schemas);
  } catch (error) {
    if (!isSchemaChanged(error)) throw error;
    return write(await cache.reload(tenant.tenantId, schemas.revision));
  }
}
