import { ScimError } from "../errors/scim-error.js";
import { getIgnoringCase, isJsonObject, type JsonObject } from "../resource/json-value.js";
import { defaultScimLimits, type ScimLimits } from "../limits/scim-limits.js";
import { urn } from "../schema/urns.js";
import type { PatchOperation, PatchOperationType } from "./patch-operation.js";
import { parsePatchPath } from "./parse-patch-path.js";

/**
 * Parses a PatchOp request body (RFC 7644 §3.5.2) into operations with parsed paths.
 * Member names (`Operations`, `op`, `path`, `value`) and `op` values are matched ignoring case:
 * Entra sends "Add", "Replace" and "Remove" (MS-USE). Values are left as the client sent them;
 * `applyPatch` types them against the schema.
 */
export function parsePatchRequest(body: unknown, limits: ScimLimits = defaultScimLimits): PatchOperation[] {
  if (!isJsonObject(body)) throw ScimError.of("invalidSyntax", "the PATCH body must be a JSON object (RFC 7644 §3.5.2)");
  const schemas = getIgnoringCase(body, "schemas")?.value;
  const listsPatchOp =
    Array.isArray(schemas) && schemas.some((s) => typeof s === "string" && s.toLowerCase() === urn.patchOp.toLowerCase());
  if (!listsPatchOp) {
    throw ScimError.of("invalidSyntax", `the PATCH body's "schemas" must contain "${urn.patchOp}" (RFC 7644 §3.5.2)`);
  }
  const operations = getIgnoringCase(body, "Operations")?.value;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.of("invalidSyntax", `the PATCH body needs a non-empty "Operations" array (RFC 7644 §3.5.2)`);
  }
  // Counted before any operation is read, so 8,000 operations cost nothing but this answer.
  checkPatchOperationCount(operations.length, limits);
  return operations.map((operation, index) => parseOperation(operation, `Operations[${index}]`, limits));
}

/** RFC 7644 §3.5.2 sets no bound on Operations; ours is maxPatchOperations (400 invalidValue naming it). */
export function checkPatchOperationCount(count: number, limits: ScimLimits): void {
  if (count > limits.maxPatchOperations) {
    throw ScimError.of(
      "invalidValue",
      `the PATCH has ${count} operations; at most ${limits.maxPatchOperations} are allowed in one request (split it into several)`,
    );
  }
}

function parseOperation(operation: unknown, where: string, limits: ScimLimits): PatchOperation {
  if (!isJsonObject(operation)) throw ScimError.of("invalidSyntax", `${where} must be a JSON object with "op", "path" and "value"`);
  const op = parseOp(operation, where);
  const path = parsePath(operation, where, limits);
  const value = getIgnoringCase(operation, "value");
  if (op === "remove") {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with ... "noTarget"."
    if (path === undefined) throw ScimError.of("noTarget", `${where}: "remove" needs a "path" naming what to remove (RFC 7644 §3.5.2.2)`);
    return { op, path, ...(value !== undefined ? { value: value.value } : {}) };
  }
  // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace "MUST contain a "value" member".
  if (value === undefined) throw ScimError.of("invalidValue", `${where}: "${op}" needs a "value" (RFC 7644 §3.5.2)`);
  return { op, ...(path !== undefined ? { path } : {}), value: value.value };
}

function parseOp(operation: JsonObject, where: string): PatchOperationType {
  const op = getIgnoringCase(operation, "op")?.value;
  const lower = typeof op === "string" ? op.toLowerCase() : undefined;
  if (lower === "add" || lower === "remove" || lower === "replace") return lower;
  throw ScimError.of("invalidSyntax", `${where}: "op" must be "add", "remove" or "replace", got ${JSON.stringify(op ?? null)}`);
}

function parsePath(operation: JsonObject, where: string, limits: ScimLimits): PatchOperation["path"] {
  const path = getIgnoringCase(operation, "path")?.value;
  // An empty or null path is read as no path, which RFC 7644 §3.5.2 allows for add and replace.
  if (path === undefined || path === null || (typeof path === "string" && path.trim() === "")) return undefined;
  if (typeof path !== "string") throw ScimError.of("invalidPath", `${where}: "path" must be a string`);
  try {
    return parsePatchPath(path, limits);
  } catch (error) {
    if (error instanceof ScimError) throw ScimError.of("invalidPath", `${where}: path "${path}": ${error.detail}`);
    throw error;
  }
}
