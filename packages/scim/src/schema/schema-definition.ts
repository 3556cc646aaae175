/** Attribute characteristics of RFC 7643 §2.2 and §7, as data. */
export type AttributeType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "complex" | "binary";
export type Mutability = "readOnly" | "readWrite" | "immutable" | "writeOnly";
export type Returned = "always" | "never" | "default" | "request";
export type Uniqueness = "none" | "server" | "global";

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  /**
   * Whether `canonicalValues` are the only values accepted. RFC 7643 §7 makes canonical values
   * "suggested" ones a server "MAY" ignore, and IdPs send emails.type values beyond the core
   * schema's, so built-in attributes leave this unset; a tenant's own extension declares the values
   * it accepts (SchemaService), so extendResourceType sets it on every attribute it adds.
   */
  readonly canonicalValuesEnforced?: boolean;
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export interface ResourceTypeDefinition {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDefinition;
  readonly extensions: readonly { readonly schema: SchemaDefinition; readonly required: boolean }[];
}

type AttributeOptions = Partial<Omit<AttributeDefinition, "name" | "type" | "description">> & { description?: string };

/**
 * Builds an attribute with RFC 7643 §2.2's defaults (not required, not caseExact, readWrite,
 * returned by default, no uniqueness, single-valued), so each definition states only what differs.
 */
export function attribute(name: string, type: AttributeType, options: AttributeOptions = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description: "",
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    ...options,
  };
}

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1: attribute names are case-insensitive). */
export function findAttribute(attributes: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  if (attributes === undefined) return undefined;
  const wanted = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === wanted);
}
