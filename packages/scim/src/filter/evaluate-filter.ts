import { isJsonObject, type JsonObject, type JsonValue, type ScimResource } from "../resource/json-value.js";
import { parseDateTime } from "../resource/parse-date-time.js";
import { resolveAttributePath } from "../schema/resolve-attribute-path.js";
import { findAttribute, type AttributeDefinition, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import { compareCodePoints, toComparableText } from "../resource/comparable-text.js";
import type { ComparisonOperator, Filter, FilterValue } from "./filter-ast.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { resolveFilter } from "./resolve-filter.js";

/** A compiled filter: tells whether one resource (or one value of a multi-valued attribute) matches. */
export type FilterPredicate = (target: JsonValue) => boolean;

/**
 * Whether `resource` matches `filter` (RFC 7644 §3.4.2.2), evaluated in memory. The filter is
 * resolved against the schema first, so invalid filters throw 400 invalidFilter.
 */
export function matchesFilter(resource: ScimResource, filter: Filter, resourceType: ResourceTypeDefinition): boolean {
  return createFilterPredicate(filter, resourceType)(resource);
}

/** Resolves and compiles `filter` once, for matching many resources. */
export function createFilterPredicate(filter: Filter, resourceType: ResourceTypeDefinition): FilterPredicate {
  return compile(resolveFilter(filter, resourceType), resourceScope(resourceType));
}

/**
 * Compiles the already-resolved filter of `parent[...]` into a test of one value of `parent`,
 * as PATCH needs for `members[value eq "u1"]`.
 */
export function createValuePredicate(resolvedFilter: Filter, parent: AttributeDefinition): FilterPredicate {
  return compile(resolvedFilter, elementScope(parent));
}

/** Reads the values a path names in a target, with the definition that types them. */
interface PathReader {
  readonly definition: AttributeDefinition;
  readonly read: (target: JsonValue) => JsonValue[];
}

interface Scope {
  readonly reader: (path: AttributePath) => PathReader;
}

function compile(filter: Filter, scope: Scope): FilterPredicate {
  switch (filter.kind) {
    case "and": {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (target) => left(target) && right(target);
    }
    case "or": {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (target) => left(target) || right(target);
    }
    case "not": {
      const operand = compile(filter.operand, scope);
      return (target) => !operand(target);
    }
    case "present": {
      const { read } = scope.reader(filter.path);
      // RFC 7644 §3.4.2.2 "pr": the attribute has a non-empty value, or a non-empty node for complex ones.
      return (target) => read(target).some(hasContent);
    }
    case "compare":
      return compileComparison(scope.reader(filter.path), filter.operator, filter.value);
    case "valuePath": {
      const { definition, read } = scope.reader(filter.path);
      const inner = compile(filter.filter, elementScope(definition));
      // RFC 7644 §3.4.2.2: every condition in the brackets must hold for one and the same value.
      return (target) => read(target).some(inner);
    }
  }
}

/**
 * A multi-valued attribute matches when any of its values does (RFC 7644 §3.4.2.2). `ne` matches
 * when no value is present, or when some value differs: an absent attribute is "not identical" to
 * the operand. `eq null` matches an unassigned attribute and `ne null` an assigned one (RFC 7643 §2.5),
 * where "assigned" is what `pr` tests: an empty string or node is as unassigned as null and [].
 */
function compileComparison(reader: PathReader, operator: ComparisonOperator, operand: FilterValue): FilterPredicate {
  const { read, definition } = reader;
  if (operand === null) {
    const present: FilterPredicate = (target) => read(target).some(hasContent);
    return operator === "eq" ? (target) => !present(target) : present;
  }
  const test = valueTest(definition, operator, operand);
  if (operator === "ne") {
    return (target) => {
      const values = read(target);
      return values.length === 0 || values.some(test);
    };
  }
  return (target) => read(target).some(test);
}

type ValueTest = (value: JsonValue) => boolean;

function valueTest(definition: AttributeDefinition, operator: ComparisonOperator, operand: string | number | boolean): ValueTest {
  if (operator === "co" || operator === "sw" || operator === "ew") return substringTest(definition, operator, String(operand));
  const compare = comparator(definition, operand);
  switch (operator) {
    case "eq":
      return (value) => compare(value) === 0;
    case "ne":
      return (value) => compare(value) !== 0;
    case "gt":
      return (value) => (compare(value) ?? 0) > 0;
    case "ge":
      return (value) => {
        const c = compare(value);
        return c !== undefined && c >= 0;
      };
    case "lt":
      return (value) => (compare(value) ?? 0) < 0;
    case "le":
      return (value) => {
        const c = compare(value);
        return c !== undefined && c <= 0;
      };
  }
}

/** Orders a stored value against the operand: negative, zero, positive, or undefined if not comparable. */
type Comparator = (value: JsonValue) => number | undefined;

function comparator(definition: AttributeDefinition, operand: string | number | boolean): Comparator {
  switch (definition.type) {
    case "boolean":
      return (value) => (typeof value === "boolean" ? Number(value) - Number(operand) : undefined);
    case "integer":
    case "decimal":
      return (value) => (typeof value === "number" ? Math.sign(value - Number(operand)) : undefined);
    case "dateTime": {
      // RFC 7644 §3.4.2.2: dateTime comparisons are chronological.
      const instant = parseDateTime(String(operand))?.epochNanoseconds;
      return (value) => {
        const stored = typeof value === "string" ? parseDateTime(value)?.epochNanoseconds : undefined;
        if (stored === undefined || instant === undefined) return undefined;
        return stored === instant ? 0 : stored > instant ? 1 : -1;
      };
    }
    default: {
      // Strings compare lexicographically by code point (as the directory's SQL does), honouring caseExact.
      const caseExact = isCaseExact(definition);
      const wanted = toComparableText(String(operand), caseExact);
      return (value) => {
        if (typeof value !== "string") return undefined;
        const text = toComparableText(value, caseExact);
        return Math.sign(compareCodePoints(text, wanted));
      };
    }
  }
}

function substringTest(definition: AttributeDefinition, operator: "co" | "sw" | "ew", operand: string): ValueTest {
  const caseExact = isCaseExact(definition);
  const wanted = toComparableText(operand, caseExact);
  return (value) => {
    if (typeof value !== "string") return false;
    const text = toComparableText(value, caseExact);
    return operator === "co" ? text.includes(wanted) : operator === "sw" ? text.startsWith(wanted) : text.endsWith(wanted);
  };
}

/** Binary values are base64, where letter case matters whatever the schema says. */
function isCaseExact(definition: AttributeDefinition): boolean {
  return definition.caseExact || definition.type === "binary";
}

function hasContent(value: JsonValue): boolean {
  if (value === null || value === "") return false;
  if (Array.isArray(value)) return value.some(hasContent);
  if (isJsonObject(value)) return Object.values(value).some(hasContent);
  return true;
}

/** The values of a JSON value as a list: arrays spread, unassigned values dropped. */
function valuesOf(value: JsonValue | undefined): JsonValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.filter((v) => v !== null) : [value];
}

function resourceScope(resourceType: ResourceTypeDefinition): Scope {
  return {
    reader(path) {
      const resolved = resolveAttributePath(path, resourceType);
      const { extension, attribute, subAttribute } = resolved;
      const container = (target: JsonValue): JsonObject | undefined => {
        if (!isJsonObject(target)) return undefined;
        if (extension === undefined) return target;
        const object = target[extension];
        return isJsonObject(object) ? object : undefined;
      };
      const read = (target: JsonValue): JsonValue[] => {
        const values = valuesOf(container(target)?.[attribute.name]);
        if (subAttribute === undefined) return values;
        return values.flatMap((item) => (isJsonObject(item) ? valuesOf(item[subAttribute.name]) : []));
      };
      return { definition: subAttribute ?? attribute, read };
    },
  };
}

function elementScope(parent: AttributeDefinition): Scope {
  return {
    reader(path) {
      const definition = findAttribute(parent.subAttributes, path.attribute);
      if (definition === undefined) throw new Error(`unresolved sub-attribute "${path.attribute}" of "${parent.name}"`);
      return { definition, read: (element) => (isJsonObject(element) ? valuesOf(element[definition.name]) : []) };
    },
  };
}
