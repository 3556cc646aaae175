import { createHash } from "node:crypto";
import type { Knex } from "knex";
import {
  isJsonObject,
  toComparableText,
  type AttributeDefinition,
  type JsonValue,
  type ResourceTypeDefinition,
  type ScimResource,
} from "@scimgw/scim";
import { isUniqueViolation } from "../database/unique-violation.js";
import { uniquenessViolation } from "../errors/directory-errors.js";

/** One value a resource holds of an attribute that is unique in its tenant. */
export interface UniqueValue {
  /** The attribute's full path in the schema's spelling, as errors name it: "urn:...:User:badge". */
  readonly name: string;
  /** The key the table holds it under: the path lower-cased. */
  readonly attribute: string;
  /** The value as it compares (value_key). */
  readonly key: string;
  /** The value as given, for the error. */
  readonly value: JsonValue;
}

/** A value_key longer than this is stored as its SHA-256: a btree key has a size limit on PostgreSQL. */
const maxPlainKey = 200;

/**
 * The value as uniqueness compares it: strings folded by the SCIM core's own rule unless caseExact
 * (as filters compare them), everything else in its stored JSON form (dateTimes are stored in UTC,
 * so one instant has one form).
 */
function valueKey(definition: AttributeDefinition, value: JsonValue): string {
  const text =
    typeof value === "string"
      ? toComparableText(value, definition.caseExact || definition.type === "binary" || definition.type === "dateTime")
      : JSON.stringify(value);
  return text.length <= maxPlainKey ? text : `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/**
 * The values a resource holds of its extensions' attributes with uniqueness "server" (RFC 7643 §7),
 * which the contract allows only on single-valued simple attributes. The built-in schemas' unique
 * attributes (userName, displayName) have columns and indexes of their own.
 */
export function uniqueValuesOf(resource: ScimResource, resourceType: ResourceTypeDefinition): UniqueValue[] {
  const values: UniqueValue[] = [];
  for (const { schema } of resourceType.extensions) {
    const object = resource[schema.id];
    if (!isJsonObject(object)) continue;
    for (const definition of schema.attributes) {
      const value = object[definition.name];
      if (definition.uniqueness !== "server" || definition.multiValued || definition.type === "complex" || value === undefined) continue;
      if (value === null) continue;
      const name = `${schema.id}:${definition.name}`;
      values.push({ name, attribute: name.toLowerCase(), key: valueKey(definition, value), value });
    }
  }
  return values;
}

/**
 * Makes a resource's rows of unique values the ones given, in the write's transaction: its rows are
 * deleted and the current ones inserted, one by one so a violation names its attribute. The unique
 * key (tenant, resource type, attribute, value) decides races, so of two writers of one value
 * exactly one commits and the other gets ALREADY_EXISTS, reason UNIQUENESS.
 *
 * Deleting every row of the resource, not only those of attributes still unique, is what keeps rows
 * of an attribute that was removed from its schema or stopped being unique from blocking anyone:
 * such rows are never read (only inserts of attributes unique now can collide), and each is gone
 * once its resource is written again or deleted, or its tenant reindexed (admin/reindex.ts). An attribute can become unique again only while no
 * resource holds a value of it (SchemaService), so no stale row of it remains by then.
 */
export async function replaceUniqueValues(
  trx: Knex.Transaction,
  tenantId: string,
  resourceType: "User" | "Group",
  resourceId: string,
  values: readonly UniqueValue[],
): Promise<void> {
  await deleteUniqueValues(trx, tenantId, resourceType, resourceId);
  for (const value of values) await insertUniqueValue(trx, tenantId, resourceType, resourceId, value);
}

/** Inserts one value's row; ALREADY_EXISTS, reason UNIQUENESS, naming the attribute when another resource holds it. */
export async function insertUniqueValue(
  trx: Knex.Transaction,
  tenantId: string,
  resourceType: "User" | "Group",
  resourceId: string,
  value: UniqueValue,
): Promise<void> {
  try {
    await trx("unique_attribute_values").insert({
      tenant_id: tenantId,
      resource_type: resourceType,
      attribute: value.attribute,
      value_key: value.key,
      resource_id: resourceId,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const shown = JSON.stringify(value.value);
    throw uniquenessViolation(
      `${value.name} ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown} is already taken by another ${resourceType} of this tenant (its uniqueness is "server")`,
      value.name,
    );
  }
}

/** Deletes a resource's rows of unique values (when it is deleted). */
export async function deleteUniqueValues(
  trx: Knex.Transaction,
  tenantId: string,
  resourceType: "User" | "Group",
  resourceId: string,
): Promise<void> {
  await trx("unique_attribute_values").where({ tenant_id: tenantId, resource_type: resourceType, resource_id: resourceId }).delete();
}
