import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { SchemaExtensionSchema, type SchemaExtension } from "@scimgw/proto";
import { checkExtensionSchema, compareExtensionSchemas, groupResourceType, userResourceType, type SchemaChangeRefusal } from "@scimgw/scim";
import { extensionFromProto, extensionToProto, MalformedMessageError, type ExtensionDefinition } from "@scimgw/scim-proto";
import type { Knex } from "knex";
import { recordChanges } from "../changes/change-log.js";
import { noteSchemaRevision } from "../tenants/tenant-row-claim.js";
import { nowIso, timestampOfIso } from "../database/timestamps.js";
import { writeTransaction } from "../database/write-transaction.js";
import { incompatibleSchemaChange, invalidSchema, notFound } from "../errors/directory-errors.js";
import { dataRefuses } from "./extension-values.js";
import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { readTenantResourceTypes, type SchemaExtensionRow } from "./read-tenant-resource-types.js";
import type { TenantSchemaCache } from "./tenant-schema-cache.js";

/** What ApplySchemaExtension answers. */
export interface AppliedExtension {
  extension: SchemaExtension;
  created: boolean;
  changes: string[];
  schemaRevision: bigint;
}

/** Ends a transaction that must not commit (validate_only, or nothing to change) with the answer it found. */
class RolledBack extends Error {
  constructor(readonly answer: AppliedExtension) {
    super("rolled back on purpose");
  }
}

/** A stored extension as the contract's message, its times from the row's columns. */
export function extensionOfRow(row: SchemaExtensionRow): SchemaExtension {
  const extension = fromJsonString(SchemaExtensionSchema, row.document);
  extension.created = timestampOfIso(row.created_at);
  extension.lastModified = timestampOfIso(row.last_modified);
  return extension;
}

/** The extension a caller asked for, as the SCIM core's definition; a message that is no extension at all is INVALID_SCHEMA. */
function definitionOf(extension: SchemaExtension): ExtensionDefinition {
  try {
    return extensionFromProto(extension);
  } catch (error) {
    if (error instanceof MalformedMessageError) throw invalidSchema([error.message]);
    throw error;
  }
}

/**
 * The most extensions one tenant may register. Every call of the tenant carries its resource types
 * (in the gateway's and the directory's caches, through every normalisation and filter), so their
 * size is bounded like a request's: at most this many extensions of at most 100 attributes each.
 */
export const maxExtensionsPerTenant = 20;

async function requireRoomForAnother(trx: Knex.Transaction, tenantId: string): Promise<void> {
  const { n } = (await trx("schema_extensions").where("tenant_id", tenantId).count({ n: "*" }).first()) ?? { n: 0 };
  if (Number(n) >= maxExtensionsPerTenant) {
    throw invalidSchema([
      `the tenant already has ${maxExtensionsPerTenant} extensions, the most one tenant may register; extend one of them instead`,
    ]);
  }
}

/**
 * Each tenant's extension schemas (schema_extensions) and its schema revision (tenants.schema_revision).
 * `cache`, when given, learns a tenant's new resource types as soon as a change commits.
 */
export function createSchemaStore(db: Knex, cache?: TenantSchemaCache) {
  return {
    /**
     * Registers an extension or changes a registered one compatibly (compareExtensionSchemas),
     * in one transaction that first bumps the tenant's revision: that UPDATE locks the tenant's
     * row, which every user and group write claims before it commits (claimAtCommit), so no
     * write commits between the data checks below and this change. An applied change is recorded
     * as a SchemaExtension change event in the same transaction. Refused changes, validate_only
     * and a call that changes nothing roll back, leaving the revision as it was and recording nothing.
     */
    async apply(
      tenantId: string,
      requested: SchemaExtension,
      options: { validateOnly?: boolean; signal?: AbortSignal } = {},
    ): Promise<AppliedExtension> {
      const next = definitionOf(requested);
      const problems = checkExtensionSchema(next.schema, next.resourceType === "User" ? userResourceType : groupResourceType);
      if (problems.length > 0) throw invalidSchema(problems);
      const idKey = next.schema.id.toLowerCase();
      try {
        const { answer, types } = await writeTransaction(db, options.signal, async (trx) => {
          const [tenant] = await trx("tenants")
            .where("id", tenantId)
            .update({ schema_revision: trx.raw("?? + 1", ["schema_revision"]) }, ["schema_revision"]);
          if (tenant === undefined) throw notFound(`tenant "${tenantId}"`);
          const revision = BigInt(tenant.schema_revision);
          const row: SchemaExtensionRow | undefined = await trx("schema_extensions").where({ tenant_id: tenantId, id_key: idKey }).first();
          const previous = row === undefined ? undefined : extensionFromProto(fromJsonString(SchemaExtensionSchema, row.document));
          if (row === undefined) await requireRoomForAnother(trx, tenantId);
          const compared = compareExtensionSchemas(previous, next);
          const refusals: SchemaChangeRefusal[] = [...compared.refused];
          // Values are where the registered version put them: on its resource type, under its spelling of the URN.
          const storedOn = previous?.resourceType ?? next.resourceType;
          const storedUnder = previous?.schema.id ?? next.schema.id;
          for (const refusal of compared.refusedIfData) {
            if (await dataRefuses(trx, tenantId, storedOn, storedUnder, refusal)) refusals.push(refusal);
          }
          if (refusals.length > 0) throw incompatibleSchemaChange(next.schema.id, refusals);

          const now = nowIso();
          const stored = extensionToProto(next);
          const written: SchemaExtensionRow = {
            tenant_id: tenantId,
            id_key: idKey,
            resource_type: next.resourceType,
            document: toJsonString(SchemaExtensionSchema, stored),
            created_at: row?.created_at ?? now,
            last_modified: compared.changes.length === 0 && row !== undefined ? row.last_modified : now,
          };
          const answer: AppliedExtension = {
            extension: extensionOfRow(written),
            created: row === undefined,
            changes: [...compared.changes],
            schemaRevision: revision,
          };
          if (compared.changes.length === 0) throw new RolledBack({ ...answer, schemaRevision: revision - 1n });
          if (row === undefined) await trx("schema_extensions").insert(written);
          else await trx("schema_extensions").where({ tenant_id: tenantId, id_key: idKey }).update(written);
          if (options.validateOnly === true) throw new RolledBack(answer);
          // Followers interpreting extension values learn of the change in order with the data
          // written by it, numbered by the same sequence (the tenant's row is already ours).
          // The writes after this one in a group commit check their revision against this one.
          noteSchemaRevision(trx, tenantId, revision);
          await recordChanges(trx, tenantId, [
            {
              resourceType: "SchemaExtension",
              resourceId: next.schema.id,
              kind: row === undefined ? "created" : "updated",
              version: revision,
              changedAttributes: compared.attributes,
            },
          ]);
          const types: TenantResourceTypes | undefined = cache === undefined ? undefined : await readTenantResourceTypes(trx, tenantId);
          return { answer, types };
        });
        if (types !== undefined) cache?.put(tenantId, types);
        return answer;
      } catch (error) {
        if (error instanceof RolledBack) return error.answer;
        throw error;
      }
    },

    /** One registered extension, by its URN compared case-insensitively. */
    async get(tenantId: string, id: string): Promise<SchemaExtension> {
      const row: SchemaExtensionRow | undefined = await db("schema_extensions")
        .where({ tenant_id: tenantId, id_key: id.toLowerCase() })
        .first();
      if (row !== undefined) return extensionOfRow(row);
      if ((await db("tenants").where("id", tenantId).first("id")) === undefined) throw notFound(`tenant "${tenantId}"`);
      throw notFound(`schema extension "${id}"`);
    },

    /**
     * A tenant's extensions by resource type, then URN, with its schema revision. The revision is
     * read first: extensions newer than it only make a write sent with it fail SCHEMA_CHANGED and
     * be retried, whereas a revision newer than the extensions would let a write pass by a schema
     * its caller never saw.
     */
    async list(tenantId: string): Promise<{ extensions: SchemaExtension[]; schemaRevision: bigint }> {
      const tenant = await db("tenants").where("id", tenantId).first("schema_revision");
      if (tenant === undefined) throw notFound(`tenant "${tenantId}"`);
      const rows: SchemaExtensionRow[] = await db("schema_extensions").where("tenant_id", tenantId).orderBy(["resource_type", "id_key"]);
      return { extensions: rows.map(extensionOfRow), schemaRevision: BigInt(tenant.schema_revision) };
    },
  };
}

export type SchemaStore = ReturnType<typeof createSchemaStore>;
