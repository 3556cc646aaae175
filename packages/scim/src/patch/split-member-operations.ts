import { ScimError } from "../errors/scim-error.js";
import type { Filter } from "../filter/filter-ast.js";
import { isJsonObject, type JsonObject } from "../resource/json-value.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";
import type { PatchOperation } from "./patch-operation.js";
import { checkPatchOperationCount } from "./parse-patch-request.js";

/** A change to a group's membership, in terms of member ids. */
export type MemberChange =
  | { readonly kind: "add"; readonly ids: readonly string[] }
  | { readonly kind: "remove"; readonly ids: readonly string[] }
  | { readonly kind: "removeAll" }
  | { readonly kind: "replace"; readonly ids: readonly string[] };

/** One step of a group PATCH, in the client's order: attribute operations or membership changes. */
export type GroupPatchStep =
  | { readonly kind: "attributes"; readonly operations: readonly PatchOperation[] }
  | { readonly kind: "members"; readonly change: MemberChange };

const isMembers = (name: string) => name.toLowerCase() === "members";

/** The ids of a members value: `[{value: "id"}, ...]`, a single `{value}` object, or bare id strings. */
function memberIds(value: unknown, op: string): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === "string" && item !== "") return item;
    if (isJsonObject(item)) {
      const entry = Object.entries(item).find(([key]) => key.toLowerCase() === "value");
      if (typeof entry?.[1] === "string" && entry[1] !== "") return entry[1];
    }
    throw ScimError.of("invalidValue", `${op} members: every member needs a "value" holding the member's id, got ${JSON.stringify(item)}`);
  });
}

/**
 * The ids a `members[...]` value filter selects. Only `value eq "id"` joined by `or` can be
 * answered without reading the whole group, and it is the only form Okta and Entra send
 * (`members[value eq "id"]`); anything else is refused rather than run against every member.
 */
function idsSelectedBy(filter: Filter): string[] {
  switch (filter.kind) {
    case "compare":
      if (
        filter.path.attribute.toLowerCase() === "value" &&
        filter.path.subAttribute === undefined &&
        filter.operator === "eq" &&
        typeof filter.value === "string"
      ) {
        return [filter.value];
      }
      break;
    case "or":
      return [...idsSelectedBy(filter.left), ...idsSelectedBy(filter.right)];
  }
  throw ScimError.of(
    "invalidFilter",
    'a members filter in a PATCH path must select members by id: members[value eq "<id>"] (joined by "or" for several)',
  );
}

function membersChange(operation: PatchOperation): MemberChange {
  const path = operation.path;
  if (path?.subAttribute !== undefined) {
    throw ScimError.of(
      "mutability",
      `members.${path.subAttribute} cannot be changed: a member is its id (RFC 7643 §4.2 members are immutable)`,
    );
  }
  switch (operation.op) {
    case "add":
      return { kind: "add", ids: memberIds(operation.value, "add") };
    case "replace":
      if (path?.valueFilter !== undefined)
        throw ScimError.of("mutability", "a member cannot be replaced in place: remove it and add another");
      return { kind: "replace", ids: operation.value === null ? [] : memberIds(operation.value, "replace") };
    case "remove":
      if (path?.valueFilter !== undefined) return { kind: "remove", ids: idsSelectedBy(path.valueFilter) };
      // Entra's legacy dialect names the members to remove in `value` (MS-COMPAT); without one,
      // RFC 7644 §3.5.2.2 removes all values.
      if (operation.value === undefined || operation.value === null) return { kind: "removeAll" };
      return { kind: "remove", ids: memberIds(operation.value, "remove") };
  }
}

/**
 * Splits a group PATCH into attribute operations (run by applyPatch on the group without its
 * members) and membership changes (run as set operations on the membership rows), keeping the
 * client's order. Path-less add/replace values that carry `members` (Okta's form) are split too.
 * Over maxPatchOperations operations, or maxPatchMemberValues member ids in all, is a 400
 * invalidValue: every id is a row written while the tenant's writes wait.
 */
export function splitMemberOperations(operations: readonly PatchOperation[], limits: ScimLimits = defaultScimLimits): GroupPatchStep[] {
  checkPatchOperationCount(operations.length, limits);
  const steps: GroupPatchStep[] = [];
  let memberValues = 0;
  const pushMembers = (change: MemberChange) => {
    memberValues += change.kind === "removeAll" ? 0 : change.ids.length;
    if (memberValues > limits.maxPatchMemberValues) {
      throw ScimError.of(
        "invalidValue",
        `the PATCH names more than ${limits.maxPatchMemberValues} members; send at most ${limits.maxPatchMemberValues} per request`,
      );
    }
    steps.push({ kind: "members", change });
  };
  const pushAttributes = (operation: PatchOperation) => {
    const last = steps[steps.length - 1];
    if (last?.kind === "attributes") steps[steps.length - 1] = { kind: "attributes", operations: [...last.operations, operation] };
    else steps.push({ kind: "attributes", operations: [operation] });
  };
  for (const operation of operations) {
    if (operation.path !== undefined) {
      if (isMembers(operation.path.attribute) && operation.path.schema === undefined) pushMembers(membersChange(operation));
      else pushAttributes(operation);
      continue;
    }
    if (!isJsonObject(operation.value)) {
      pushAttributes(operation);
      continue;
    }
    const rest: JsonObject = {};
    let members: unknown;
    for (const [key, value] of Object.entries(operation.value)) {
      if (isMembers(key)) members = value;
      else rest[key] = value;
    }
    if (Object.keys(rest).length > 0 || members === undefined) pushAttributes({ ...operation, value: rest });
    if (members !== undefined) pushMembers(membersChange({ op: operation.op, path: { attribute: "members" }, value: members as never }));
  }
  return steps;
}
