import { extensionToProto, type ExtensionDefinition } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { createSchemaStore } from "../schemas/schema-store.js";

/**
 * Registers (or compatibly changes) a tenant's extension schema through the schema store, as
 * SchemaService does, without telling any cache: the stores under test find the new revision as a
 * replica elsewhere would. Returns the tenant's new revision.
 */
export async function registerExtension(db: Knex, tenantId: string, extension: ExtensionDefinition): Promise<bigint> {
  return (await createSchemaStore(db).apply(tenantId, extensionToProto(extension))).schemaRevision;
}
