import { create, fromJson, toJson } from "@bufbuild/protobuf";
import { ValueSchema, type Value } from "@bufbuild/protobuf/wkt";
import {
  AttributePathSchema,
  ComparisonOperator as ProtoComparisonOperator,
  FilterSchema,
  LogicalOperator,
  type AttributePath as ProtoAttributePath,
  type Filter as ProtoFilter,
} from "@scimgw/proto";
import type { AttributePath, ComparisonOperator, Filter, FilterValue } from "@scimgw/scim";

const operatorToProto: Record<ComparisonOperator, ProtoComparisonOperator> = {
  eq: ProtoComparisonOperator.EQ,
  ne: ProtoComparisonOperator.NE,
  co: ProtoComparisonOperator.CO,
  sw: ProtoComparisonOperator.SW,
  ew: ProtoComparisonOperator.EW,
  gt: ProtoComparisonOperator.GT,
  ge: ProtoComparisonOperator.GE,
  lt: ProtoComparisonOperator.LT,
  le: ProtoComparisonOperator.LE,
};

const operatorFromProto = new Map<ProtoComparisonOperator, ComparisonOperator>(
  Object.entries(operatorToProto).map(([scim, proto]) => [proto, scim as ComparisonOperator]),
);

/** Raised when a filter or PATCH message from a gRPC caller is structurally incomplete. */
export class MalformedMessageError extends Error {
  constructor(detail: string) {
    super(`malformed message: ${detail}`);
    this.name = "MalformedMessageError";
  }
}

export function attributePathToProto(path: AttributePath): ProtoAttributePath {
  return create(AttributePathSchema, { schema: path.schema ?? "", attribute: path.attribute, subAttribute: path.subAttribute ?? "" });
}

export function attributePathFromProto(path: ProtoAttributePath | undefined): AttributePath {
  if (path === undefined || path.attribute === "") throw new MalformedMessageError("an attribute path has no attribute");
  return {
    ...(path.schema !== "" ? { schema: path.schema } : {}),
    attribute: path.attribute,
    ...(path.subAttribute !== "" ? { subAttribute: path.subAttribute } : {}),
  };
}

function valueToProto(value: FilterValue): Value {
  return fromJson(ValueSchema, value);
}

function valueFromProto(value: Value | undefined): FilterValue {
  if (value === undefined) throw new MalformedMessageError("a comparison has no value");
  const json = toJson(ValueSchema, value);
  if (json === null || typeof json === "string" || typeof json === "number" || typeof json === "boolean") return json;
  throw new MalformedMessageError("a comparison value must be a string, number, boolean or null");
}

/** A SCIM filter tree as the protobuf Filter the directory compiles. */
export function filterToProto(filter: Filter): ProtoFilter {
  switch (filter.kind) {
    case "compare":
      return create(FilterSchema, {
        expression: {
          case: "attribute",
          value: { path: attributePathToProto(filter.path), operator: operatorToProto[filter.operator], value: valueToProto(filter.value) },
        },
      });
    case "present":
      return create(FilterSchema, {
        expression: { case: "attribute", value: { path: attributePathToProto(filter.path), operator: ProtoComparisonOperator.PR } },
      });
    case "and":
    case "or":
      return balancedToProto(filter.kind, operandsOf(filter, filter.kind), 0);
    case "not":
      return create(FilterSchema, { expression: { case: "not", value: { operand: filterToProto(filter.operand) } } });
    case "valuePath":
      return create(FilterSchema, {
        expression: { case: "valuePath", value: { path: attributePathToProto(filter.path), filter: filterToProto(filter.filter) } },
      });
  }
}

/**
 * The operands of a run of one logical operator, in order: `a or (b or c) or d` gives [a, b, c, d].
 * The parser builds such runs as a left-leaning chain, one level per operand.
 */
function operandsOf(filter: Filter, kind: "and" | "or"): Filter[] {
  const operands: Filter[] = [];
  const pending: Filter[] = [filter];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === kind) pending.push(node.right, node.left);
    else operands.push(node);
  }
  return operands;
}

/**
 * A run of `and` or `or` as a balanced tree of LogicalFilters. Both are associative (in SQL's
 * three-valued logic too), so the meaning is the same; but protobuf decoders stop at 100 levels of
 * nesting (two per LogicalFilter), so a chain of 50 `or`s could not be decoded, while a balanced
 * run of 200 comparisons is 8 levels deep.
 */
function balancedToProto(kind: "and" | "or", operands: readonly Filter[], from: number, to = operands.length): ProtoFilter {
  if (to - from === 1) return filterToProto(operands[from] as Filter);
  const middle = (from + to) >>> 1;
  return create(FilterSchema, {
    expression: {
      case: "logical",
      value: {
        operator: kind === "and" ? LogicalOperator.AND : LogicalOperator.OR,
        left: balancedToProto(kind, operands, from, middle),
        right: balancedToProto(kind, operands, middle, to),
      },
    },
  });
}

/** A protobuf Filter (from the gateway or an internal caller) as a SCIM filter tree. */
export function filterFromProto(filter: ProtoFilter | undefined): Filter {
  const expression = filter?.expression;
  switch (expression?.case) {
    case "attribute": {
      const path = attributePathFromProto(expression.value.path);
      if (expression.value.operator === ProtoComparisonOperator.PR) return { kind: "present", path };
      const operator = operatorFromProto.get(expression.value.operator);
      if (operator === undefined) throw new MalformedMessageError(`unknown comparison operator ${expression.value.operator}`);
      return { kind: "compare", path, operator, value: valueFromProto(expression.value.value) };
    }
    case "logical": {
      const { operator, left, right } = expression.value;
      if (operator !== LogicalOperator.AND && operator !== LogicalOperator.OR) {
        throw new MalformedMessageError(`unknown logical operator ${operator}`);
      }
      return { kind: operator === LogicalOperator.AND ? "and" : "or", left: filterFromProto(left), right: filterFromProto(right) };
    }
    case "not":
      return { kind: "not", operand: filterFromProto(expression.value.operand) };
    case "valuePath":
      return { kind: "valuePath", path: attributePathFromProto(expression.value.path), filter: filterFromProto(expression.value.filter) };
    case undefined:
      throw new MalformedMessageError("a filter node is empty");
  }
}
