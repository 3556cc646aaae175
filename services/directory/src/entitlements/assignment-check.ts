import { ScimError } from "@scimgw/scim";
import { dialectOf } from "../database/open-database.js";
import type { AssignmentValue } from "../changes/change-log.js";
import { assignedType, assignmentDelta, type AssignmentCheck } from "../users/assignment-delta.js";
import { catalogKey } from "./catalog-names.js";

/** What the directory does with a value that names no catalog entry (UNKNOWN_ENTITLEMENTS). */
export type UnknownEntitlements = "refuse" | "record";

const kindOfAttribute = { entitlements: "entitlement", roles: "role" } as const;

/** The catalog type a value names, folded; "" for none (Entra's own role type is none). */
function typeKeyOf(value: AssignmentValue): string {
  const type = assignedType(value.attribute, value.type);
  return type === "" ? "" : catalogKey(type);
}

function describe(value: AssignmentValue): string {
  return value.type === "" ? JSON.stringify(value.value) : `${JSON.stringify(value.value)} of type ${JSON.stringify(value.type)}`;
}

/**
 * Once a tenant has a catalog type of a kind, every value a write adds to that kind's attribute
 * must name one of the tenant's entries (issue 16): with its `type`, an entry of the type of that
 * name; without (Okta sends roles so, Entra every role), exactly one entry of any type of the kind.
 * Tenants without a catalog keep values as sent (RFC 7643 §4.1.2 gives them no vocabulary).
 *
 * Only the values the write adds are checked: a value the user already holds was checked when it
 * was assigned, and refusing an unrelated PUT (Okta re-sends the whole user for a name change)
 * because the catalog has since dropped an entry would block the IdP for something the write
 * does not do.
 *
 * It runs in the write's transaction so a concurrent catalog delete cannot slip past: on SQLite
 * the one writer runs write transactions one at a time; on PostgreSQL the matched entries are
 * read FOR SHARE, so a delete of them waits for this write's commit (and is then seen by the next).
 */
export function createAssignmentCheck(
  mode: UnknownEntitlements,
  onUnknown: (tenantId: string, values: AssignmentValue[]) => void,
): AssignmentCheck {
  return async (trx, tenantId, before, after) => {
    const { added } = assignmentDelta(before, after);
    if (added.length === 0) return [];
    const kinds = new Set(added.map((value) => kindOfAttribute[value.attribute]));
    const types: Array<{ name_key: string; kind: string }> = await trx("entitlement_types")
      .where("tenant_id", tenantId)
      .whereIn("kind", [...kinds])
      .select("name_key", "kind");
    const checked = added.filter((value) => types.some((type) => type.kind === kindOfAttribute[value.attribute]));
    if (checked.length === 0) return [];
    const ids = [...new Set(checked.map((value) => value.value))];
    const query = trx("entitlements")
      .where("tenant_id", tenantId)
      .whereIn(
        "type_key",
        types.map((type) => type.name_key),
      )
      .whereIn("id", ids)
      .select("type_key", "id");
    if (dialectOf(trx) === "postgres") query.forShare();
    const found: Array<{ type_key: string; id: string }> = await query;
    const kindOfType = new Map(types.map((type) => [type.name_key, type.kind]));
    const unknown: AssignmentValue[] = [];
    for (const value of checked) {
      const kind = kindOfAttribute[value.attribute];
      const matches = found.filter(
        (entry) =>
          entry.id === value.value &&
          kindOfType.get(entry.type_key) === kind &&
          (typeKeyOf(value) === "" || entry.type_key === typeKeyOf(value)),
      );
      if (matches.length === 1) continue;
      if (matches.length > 1 && mode === "refuse")
        throw ScimError.of(
          "invalidValue",
          `${value.attribute} value ${describe(value)} matches entries of several catalog types (${matches.map((m) => m.type_key).join(", ")}): send its type`,
        );
      if (mode === "refuse")
        throw ScimError.of(
          "invalidValue",
          `${value.attribute} value ${describe(value)} names no ${kind} in this tenant's catalog: publish it first, or send one of the ids the ${kind} endpoints list`,
        );
      unknown.push(value);
    }
    if (unknown.length > 0) onUnknown(tenantId, unknown);
    return unknown;
  };
}
