import { ScimError, type ScimType } from "../errors/scim-error.js";
import { parseBooleanLenient } from "../resource/coerce-attribute-value.js";
import { parseDateTime } from "../resource/parse-date-time.js";
import { formatAttributePath, resolveAttributePath } from "../schema/resolve-attribute-path.js";
import { findAttribute, type AttributeDefinition, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import type { ComparisonOperator, Filter, FilterValue } from "./filter-ast.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";

/** Where a filter's paths point: at the resource, or (inside `attr[...]`) at one value of `parent`. */
type Scope =
  | { readonly kind: "resource"; readonly resourceType: ResourceTypeDefinition }
  | { readonly kind: "element"; readonly parent: AttributeDefinition };

/**
 * Rewrites every attribute name in `filter` to the schema's spelling and checks it against the
 * resource type: unknown attributes, value filters on simple attributes, operators the attribute's
 * type cannot take, and literals of the wrong type are 400 `scimType` (invalidFilter by default,
 * invalidPath when the filter is part of a PATCH path). Literals are converted to the attribute's
 * type where the intent is clear (`active eq "true"`, `employeeNumber eq 42`).
 */
export function resolveFilter(
  filter: Filter,
  resourceType: ResourceTypeDefinition,
  scimType: ScimType = "invalidFilter",
  limits: ScimLimits = defaultScimLimits,
): Filter {
  checkFilterSize(filter, scimType, limits);
  return resolveNode(filter, { kind: "resource", resourceType }, scimType);
}

/**
 * Resolves the filter of `parent[...]`, whose paths name sub-attributes of `parent`
 * (RFC 7644 §3.4.2.2: "FILTER uses sub-attributes of a parent attrPath").
 */
export function resolveValueFilter(
  filter: Filter,
  parent: AttributeDefinition,
  scimType: ScimType = "invalidFilter",
  limits: ScimLimits = defaultScimLimits,
): Filter {
  checkFilterSize(filter, scimType, limits);
  return resolveNode(filter, { kind: "element", parent }, scimType);
}

/**
 * The parser's comparison limit, for trees that did not come from text (the directory's gRPC
 * callers build them). Counted without recursion, so any tree the caller could send is counted.
 */
function checkFilterSize(filter: Filter, scimType: ScimType, limits: ScimLimits): void {
  const pending: Filter[] = [filter];
  let comparisons = 0;
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === "compare" || node.kind === "present") comparisons += 1;
    else if (node.kind === "and" || node.kind === "or") pending.push(node.left, node.right);
    else if (node.kind === "not") pending.push(node.operand);
    else pending.push(node.filter);
    if (comparisons > limits.maxFilterComparisons) {
      throw ScimError.of(scimType, `the filter has more than ${limits.maxFilterComparisons} comparisons`);
    }
  }
}

function resolveNode(filter: Filter, scope: Scope, scimType: ScimType): Filter {
  switch (filter.kind) {
    case "and":
    case "or":
      return { kind: filter.kind, left: resolveNode(filter.left, scope, scimType), right: resolveNode(filter.right, scope, scimType) };
    case "not":
      return { kind: "not", operand: resolveNode(filter.operand, scope, scimType) };
    case "present":
      return { kind: "present", path: resolvePath(filter.path, scope, scimType).path };
    case "compare":
      return resolveComparison(filter.path, filter.operator, filter.value, scope, scimType);
    case "valuePath":
      return resolveValuePath(filter.path, filter.filter, scope, scimType);
  }
}

function resolveValuePath(path: AttributePath, inner: Filter, scope: Scope, scimType: ScimType): Filter {
  if (scope.kind === "element") {
    throw ScimError.of(scimType, `a value filter cannot contain another value filter ("${formatAttributePath(path)}[...]")`);
  }
  const resolved = resolveAttributePath(path, scope.resourceType, scimType);
  if (resolved.subAttribute !== undefined || resolved.attribute.subAttributes === undefined) {
    throw ScimError.of(
      scimType,
      `"${formatAttributePath(resolved.path)}" has no sub-attributes to filter on, so "${formatAttributePath(path)}[...]" is not a value filter`,
    );
  }
  return { kind: "valuePath", path: resolved.path, filter: resolveValueFilter(inner, resolved.attribute, scimType) };
}

function resolveComparison(
  path: AttributePath,
  operator: ComparisonOperator,
  value: FilterValue,
  scope: Scope,
  scimType: ScimType,
): Filter {
  const target = comparisonTarget(resolvePath(path, scope, scimType), scimType);
  const name = formatAttributePath(target.path);
  checkOperator(target.definition, operator, name, scimType);
  return { kind: "compare", path: target.path, operator, value: convertLiteral(target.definition, operator, value, name, scimType) };
}

interface PathTarget {
  readonly path: AttributePath;
  readonly definition: AttributeDefinition;
}

function resolvePath(path: AttributePath, scope: Scope, scimType: ScimType): PathTarget {
  if (scope.kind === "resource") {
    const resolved = resolveAttributePath(path, scope.resourceType, scimType);
    return neverFiltered({ path: resolved.path, definition: resolved.subAttribute ?? resolved.attribute }, scimType);
  }
  const parent = scope.parent;
  const sub =
    path.schema === undefined && path.subAttribute === undefined ? findAttribute(parent.subAttributes, path.attribute) : undefined;
  if (sub === undefined) {
    throw ScimError.of(
      scimType,
      `inside ${parent.name}[...] name a sub-attribute of "${parent.name}" (${(parent.subAttributes ?? []).map((s) => s.name).join(", ")}); "${formatAttributePath(path)}" is not one`,
    );
  }
  return neverFiltered({ path: { attribute: sub.name }, definition: sub }, scimType);
}

/**
 * An attribute that is never returned (the password, a tenant's writeOnly secret) is not filterable
 * here: RFC 7643 §7 lets a service provider allow it in filters, but no representation shows it to
 * check an answer against, and the matches would disclose what it must never return. For the
 * password there is not even a value: only a salted hash is kept.
 */
function neverFiltered(target: PathTarget, scimType: ScimType): PathTarget {
  if (target.definition.returned !== "never") return target;
  throw ScimError.of(
    scimType,
    `"${formatAttributePath(target.path)}" is never returned (RFC 7643 §7), so it cannot be filtered on: which resources match would disclose it`,
  );
}

/**
 * A comparison on a complex attribute compares its `value` sub-attribute: RFC 7644 §3.4.2.2 asks for
 * a sub-attribute on complex attributes, yet its own example filters `emails co "example.com"`, and
 * RFC 7643 §2.4 makes `value` the significant value of multi-valued attributes.
 */
function comparisonTarget(target: PathTarget, scimType: ScimType): PathTarget {
  if (target.definition.type !== "complex") return target;
  const value = findAttribute(target.definition.subAttributes, "value");
  if (target.path.subAttribute !== undefined || value === undefined) {
    throw ScimError.of(
      scimType,
      `"${formatAttributePath(target.path)}" is complex; compare one of its sub-attributes, e.g. "${formatAttributePath(target.path)}.${target.definition.subAttributes?.[0]?.name ?? "value"}"`,
    );
  }
  return { path: { ...target.path, subAttribute: value.name }, definition: value };
}

function checkOperator(definition: AttributeDefinition, operator: ComparisonOperator, name: string, scimType: ScimType): void {
  const ordering = operator === "gt" || operator === "ge" || operator === "lt" || operator === "le";
  // RFC 7644 §3.4.2.2: gt/ge/lt/le on Boolean or Binary attributes SHALL be a 400 invalidFilter.
  if (ordering && (definition.type === "boolean" || definition.type === "binary")) {
    throw ScimError.of(scimType, `"${name}" is ${definition.type}; gt, ge, lt and le do not apply to it (RFC 7644 §3.4.2.2)`);
  }
  const substring = operator === "co" || operator === "sw" || operator === "ew";
  if (substring && (definition.type === "boolean" || definition.type === "integer" || definition.type === "decimal")) {
    throw ScimError.of(scimType, `"${name}" is ${definition.type}; co, sw and ew compare text and do not apply to it`);
  }
}

const numeric = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function convertLiteral(
  definition: AttributeDefinition,
  operator: ComparisonOperator,
  value: FilterValue,
  name: string,
  scimType: ScimType,
): FilterValue {
  if (value === null) {
    if (operator === "eq" || operator === "ne") return null;
    throw ScimError.of(scimType, `"${name}" ${operator} null: only eq and ne compare with null`);
  }
  const wrong = (expected: string) =>
    ScimError.of(scimType, `"${name}" is ${definition.type}; ${JSON.stringify(value)} is not ${expected}`);
  switch (definition.type) {
    case "string":
    case "reference":
    case "binary":
      return String(value);
    case "boolean": {
      const parsed = parseBooleanLenient(value);
      if (parsed === undefined) throw wrong("true or false");
      return parsed;
    }
    case "integer":
    case "decimal":
      if (typeof value === "number") return value;
      if (typeof value === "string" && numeric.test(value)) return Number(value);
      throw wrong("a number");
    case "dateTime":
      if (typeof value !== "string") throw wrong("a dateTime string");
      if (operator !== "co" && operator !== "sw" && operator !== "ew" && parseDateTime(value) === undefined) {
        throw wrong('an xsd:dateTime such as "2011-05-13T04:42:34Z" (RFC 7643 §2.3.5)');
      }
      return value;
    case "complex":
      throw wrong("comparable");
  }
}
