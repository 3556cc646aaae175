import { toJsonString } from "@bufbuild/protobuf";
import { SchemaExtensionSchema } from "@scimgw/proto";
import { extensionToProto, type ExtensionDefinition } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { writeTransaction } from "../database/write-transaction.js";

/**
 * Registers (or replaces) a tenant's extension schema the way SchemaService stores one: the row in
 * schema_extensions and one more schema revision, in one transaction. For tests of how extensions
 * are enforced, before the schema store exists; it checks nothing a registry would (compatibility,
 * existing data). Returns the tenant's new revision.
 */
export async function registerExtension(db: Knex, tenantId: string, extension: ExtensionDefinition): Promise<bigint> {
  return writeTransaction(db, undefined, async (trx) => {
    const now = nowIso();
    const idKey = extension.schema.id.toLowerCase();
    await trx("schema_extensions").where({ tenant_id: tenantId, id_key: idKey }).delete();
    await trx("schema_extensions").insert({
      tenant_id: tenantId,
      id_key: idKey,
      resource_type: extension.resourceType,
      document: toJsonString(SchemaExtensionSchema, extensionToProto(extension)),
      created_at: now,
      last_modified: now,
    });
    await trx("tenants").where("id", tenantId).increment("schema_revision", 1);
    const row = await trx("tenants").where("id", tenantId).first("schema_revision");
    return BigInt(row.schema_revision);
  });
}
