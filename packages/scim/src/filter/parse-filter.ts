import { ScimError, type ScimType } from "../errors/scim-error.js";
import type { ComparisonOperator, Filter, FilterValue } from "./filter-ast.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { TokenStream, type Token } from "./filter-tokens.js";
import { isStorableText } from "../limits/check-string.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2, figure 1) into a Filter tree. Operators and the
 * keywords and/or/not are case-insensitive; `and` binds tighter than `or`; `not` takes a
 * parenthesised filter. Attribute names are kept as written: `resolveFilter` maps them to the schema.
 * Errors are 400 invalidFilter with what was expected and the 0-based character position; so is
 * a filter of more than `limits.maxFilterComparisons` comparisons.
 */
export function parseFilter(text: string, limits: ScimLimits = defaultScimLimits): Filter {
  return new FilterParser(text, "invalidFilter", "filter", limits).parseFilter();
}

/** The parsed parts of a PATCH path (RFC 7644 §3.5.2): `attrPath` or `valuePath [ "." subAttr ]`. */
export interface ParsedPath {
  readonly path: AttributePath;
  readonly valueFilter?: Filter;
}

const comparisonOperators: ReadonlySet<string> = new Set(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);
const attributeName = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** Deeper nesting than this is no real client's filter, and would only exhaust the stack. */
const maxNesting = 32;

/**
 * A recursive-descent parser over the tokens of a filter, a PATCH path or an `attributes` entry.
 * `scimType` is the error every syntax problem becomes (invalidFilter, or invalidPath for PATCH).
 */
export class FilterParser {
  private readonly tokens: TokenStream;
  private nesting = 0;
  private comparisons = 0;

  constructor(
    text: string,
    private readonly scimType: ScimType,
    private readonly subject: "filter" | "path" | "attribute list entry",
    private readonly limits: ScimLimits = defaultScimLimits,
  ) {
    this.tokens = new TokenStream(text, (detail) => ScimError.of(scimType, detail));
    if (text.trim() === "") throw this.fail(`the ${subject} is empty`);
  }

  parseFilter(): Filter {
    const filter = this.parseOr(false);
    this.expectEnd();
    return filter;
  }

  /** `attrPath [ "[" valFilter "]" [ "." subAttr ] ]`, the PATCH path of RFC 7644 §3.5.2. */
  parsePath(): ParsedPath {
    const first = this.next();
    if (first.kind !== "word") throw this.fail(`expected an attribute path at position ${first.position}, found ${describe(first)}`);
    let path = parseAttributePathText(first.text, first.position, (d) => this.fail(d));
    if (this.peek().kind !== "[") {
      this.expectEnd();
      return { path };
    }
    const valueFilter = this.parseValueFilter(path, first);
    const sub = this.peek();
    if (sub.kind === "word" && sub.text.startsWith(".")) {
      this.next();
      path = { ...path, subAttribute: this.parseSubAttribute(sub) };
    }
    this.expectEnd();
    return { path, valueFilter };
  }

  private parseOr(inValueFilter: boolean): Filter {
    let left = this.parseAnd(inValueFilter);
    while (this.atKeyword("or")) {
      this.next();
      left = { kind: "or", left, right: this.parseAnd(inValueFilter) };
    }
    return left;
  }

  private parseAnd(inValueFilter: boolean): Filter {
    let left = this.parseUnary(inValueFilter);
    while (this.atKeyword("and")) {
      this.next();
      left = { kind: "and", left, right: this.parseUnary(inValueFilter) };
    }
    return left;
  }

  private parseUnary(inValueFilter: boolean): Filter {
    const token = this.peek();
    if (token.kind === "(") {
      this.next();
      return this.parseGroup(token, inValueFilter);
    }
    if (this.atKeyword("not")) {
      this.next();
      const open = this.next();
      // RFC 7644 §3.4.2.2: FILTER = ... / *1"not" "(" FILTER ")"; the space before "(" is optional.
      if (open.kind !== "(") throw this.fail(`expected "(" after "not" at position ${open.position}, found ${describe(open)}`);
      return { kind: "not", operand: this.parseGroup(open, inValueFilter) };
    }
    return this.parseAttributeExpression(inValueFilter);
  }

  private parseGroup(open: Token, inValueFilter: boolean): Filter {
    const inner = this.nested(() => this.parseOr(inValueFilter));
    this.expectClosing(")", open);
    return inner;
  }

  private parseAttributeExpression(inValueFilter: boolean): Filter {
    const token = this.next();
    if (token.kind !== "word") {
      throw this.fail(`expected an attribute name, "not" or "(" at position ${token.position}, found ${describe(token)}`);
    }
    const path = parseAttributePathText(token.text, token.position, (d) => this.fail(d));
    if (this.peek().kind !== "[") return this.parseComparison(path, token);
    if (inValueFilter) throw this.fail(`a value filter cannot contain another value filter (position ${this.peek().position})`);
    const filter = this.parseValueFilter(path, token);
    const valuePath: Filter = { kind: "valuePath", path, filter };
    const after = this.peek();
    if (after.kind !== "word" || !after.text.startsWith(".")) return valuePath;
    // Not in RFC 7644's grammar, but the form Entra documents for matching users by work email
    // (`emails[type eq "work"].value eq "x"`, MS-USE): read as `emails[type eq "work" and value eq "x"]`.
    this.next();
    const sub = this.parseSubAttribute(after);
    const comparison = this.parseComparison({ attribute: sub }, after);
    return { kind: "valuePath", path, filter: { kind: "and", left: filter, right: comparison } };
  }

  private parseValueFilter(path: AttributePath, pathToken: Token): Filter {
    const open = this.next();
    if (path.subAttribute !== undefined) {
      throw this.fail(
        `a value filter must follow an attribute, not the sub-attribute path "${pathToken.text}" (position ${open.position})`,
      );
    }
    const filter = this.nested(() => this.parseOr(true));
    this.expectClosing("]", open);
    return filter;
  }

  private parseComparison(path: AttributePath, pathToken: Token): Filter {
    // Counted as the parser meets them, so a filter of 20,000 terms stops at the limit; the
    // trees it builds stay small enough for every recursive step after it.
    this.comparisons += 1;
    if (this.comparisons > this.limits.maxFilterComparisons) {
      throw this.fail(`the ${this.subject} has more than ${this.limits.maxFilterComparisons} comparisons`);
    }
    const token = this.next();
    if (token.kind !== "word") {
      throw this.fail(`expected an operator after "${pathToken.text}" at position ${token.position}, found ${describe(token)}`);
    }
    const operator = token.text.toLowerCase();
    if (operator === "pr") return { kind: "present", path };
    if (!comparisonOperators.has(operator)) {
      // RFC 7644 §3.4.2.2: an unrecognised operator is a 400 invalidFilter naming it.
      throw this.fail(`unknown operator "${token.text}" at position ${token.position}; expected eq, ne, co, sw, ew, gt, ge, lt, le or pr`);
    }
    return { kind: "compare", path, operator: operator as ComparisonOperator, value: this.parseValue(token) };
  }

  private parseValue(operatorToken: Token): FilterValue {
    const token = this.next();
    const value =
      token.kind === "string"
        ? token.value
        : token.kind === "word"
          ? parseUnquotedValue(token.text, token.position, (detail) => this.fail(detail))
          : undefined;
    // Nothing stored holds these (checkString), and PostgreSQL cannot even compare with NUL:
    // refused here so both stores give the same 400.
    if (typeof value === "string" && !isStorableText(value)) {
      throw this.fail(`the value at position ${token.position} contains a control character or a lone surrogate`);
    }
    if (value !== undefined) return value;
    throw this.fail(`expected a value after "${operatorToken.text}" at position ${token.position}, found ${describe(token)}`);
  }

  private parseSubAttribute(token: Token): string {
    const name = token.text.slice(1);
    if (!attributeName.test(name)) throw this.fail(`"${token.text}" at position ${token.position} is not a valid sub-attribute`);
    return name;
  }

  private expectClosing(kind: ")" | "]", open: Token): void {
    const token = this.next();
    if (token.kind === kind) return;
    throw this.fail(
      `expected "and", "or" or "${kind}" closing the "${open.text}" at position ${open.position}, but found ${describe(token)} at position ${token.position}`,
    );
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind === "end") return;
    if (token.kind === ")" || token.kind === "]") {
      throw this.fail(`unexpected "${token.text}" at position ${token.position}: nothing is open to close`);
    }
    const expected = this.subject === "filter" ? `"and", "or" or the end of the filter` : `the end of the ${this.subject}`;
    throw this.fail(`expected ${expected} at position ${token.position}, found ${describe(token)}`);
  }

  private nested<T>(parse: () => T): T {
    this.nesting += 1;
    if (this.nesting > maxNesting) throw this.fail(`the ${this.subject} nests deeper than ${maxNesting} levels`);
    try {
      return parse();
    } finally {
      this.nesting -= 1;
    }
  }

  private atKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === "word" && token.text.toLowerCase() === keyword;
  }

  private peek(): Token {
    return this.tokens.peek();
  }

  private next(): Token {
    return this.tokens.next();
  }

  private fail(detail: string): ScimError {
    return ScimError.of(this.scimType, detail);
  }
}

/**
 * `[URI ":"] ATTRNAME ["." subAttr]` (RFC 7644 §3.10). The schema URN is everything before the last
 * ':', since URNs contain ':' and attribute names cannot. `$ref` is allowed as a name (RFC 7643 §2.3.7).
 */
export function parseAttributePathText(text: string, position: number, fail: (detail: string) => ScimError): AttributePath {
  const colon = text.lastIndexOf(":");
  const schema = colon >= 0 ? text.slice(0, colon) : undefined;
  const parts = text.slice(colon + 1).split(".");
  const [attribute, subAttribute] = parts;
  const valid =
    schema !== "" &&
    parts.length <= 2 &&
    attribute !== undefined &&
    attributeName.test(attribute) &&
    (subAttribute === undefined || attributeName.test(subAttribute));
  if (!valid || attribute === undefined) {
    throw fail(`"${text}" at position ${position} is not an attribute path ([schema URN:]name[.subAttribute], RFC 7644 §3.10)`);
  }
  return {
    ...(schema !== undefined ? { schema } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

/**
 * RFC 7644 §3.4.2.2 makes compValue a JSON literal: false / null / true / number / string. We also
 * accept unquoted words: true/false/null in any case, JSON numbers, and anything else as a string,
 * because Microsoft's SCIM test collection sends `name.FamilyName eq Employee`, `userName sw O` and
 * `meta.Created gt 2015-10-10T14:38:21.8617979-07:00` and expects them to work.
 */
function parseUnquotedValue(text: string, position: number, fail: (detail: string) => ScimError): FilterValue {
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (!jsonNumber.test(text)) return text;
  // `1e999` is a JSON number by grammar but no double: as Infinity it would format as `null` and
  // cannot cross the directory's protobuf Value, so it is refused like any other bad literal.
  const number = Number(text);
  if (!Number.isFinite(number)) throw fail(`the number ${text} at position ${position} is out of range`);
  return number;
}

function describe(token: Token): string {
  if (token.kind === "end") return "the end of the text";
  if (token.kind === "string") return token.text;
  return `"${token.text}"`;
}
