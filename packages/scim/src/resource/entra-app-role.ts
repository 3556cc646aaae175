import { isJsonObject, type JsonObject } from "./json-value.js";

/** Whether an attribute is one whose values Entra writes as app role assignments (users' `roles`). */
export function holdsEntraAppRoles(definition: { name: string; type: string; multiValued: boolean }): boolean {
  return definition.name === "roles" && definition.type === "complex" && definition.multiValued;
}

function keyOf(value: JsonObject, name: string): string | undefined {
  return Object.keys(value).find((key) => key.toLowerCase() === name.toLowerCase());
}

/**
 * One `roles` value as Entra's app role mappings send it, in RFC 7643 §4.1.2's shape:
 *
 * - `AppRoleAssignmentsComplex` PATCHes items whose `value` is a JSON string of the assignment,
 *   `{"id": …, "value": "Admin", "displayName": "Admin"}` (MS-ATTR, "the request formats in the
 *   PATCH and POST differ"): the role is the inner `value`, its display the inner `displayName`.
 * - Its POSTs name the display `displayName`, not `display` (MS-ATTR's example).
 *
 * Anything else passes unchanged, so Okta's `{value, display, type}` is untouched.
 */
export function readEntraAppRole(value: unknown): unknown {
  if (!isJsonObject(value)) return value;
  let role: JsonObject = value;
  const valueKey = keyOf(role, "value");
  const inner = valueKey === undefined ? undefined : role[valueKey];
  if (typeof inner === "string" && inner.trimStart().startsWith("{")) {
    let assignment: unknown;
    try {
      assignment = JSON.parse(inner);
    } catch {
      assignment = undefined;
    }
    if (isJsonObject(assignment) && typeof assignment["value"] === "string") {
      const { [valueKey as string]: _encoded, ...rest } = role;
      role = { ...rest, value: assignment["value"] };
      if (typeof assignment["displayName"] === "string" && keyOf(role, "display") === undefined)
        role["display"] = assignment["displayName"];
    }
  }
  const displayNameKey = keyOf(role, "displayName");
  if (displayNameKey !== undefined && keyOf(role, "display") === undefined) {
    const { [displayNameKey]: displayName, ...rest } = role;
    role = displayName === undefined ? rest : { ...rest, display: displayName };
  }
  return role;
}
