import { FilterParser } from "../filter/parse-filter.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";
import type { PatchPath } from "./patch-operation.js";

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`), e.g.
 * `name.givenName`, `members[value eq "2819c223"]`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`. Names are kept as written;
 * `applyPatch` resolves them against the schema. Syntax errors are 400 invalidPath.
 */
export function parsePatchPath(text: string, limits: ScimLimits = defaultScimLimits): PatchPath {
  const { path, valueFilter } = new FilterParser(text, "invalidPath", "path", limits).parsePath();
  return { ...path, ...(valueFilter !== undefined ? { valueFilter } : {}) };
}
