import type { Filter } from "../filter/filter-ast.js";

/** The three PATCH operations of RFC 7644 §3.5.2, normalised to lower case (Entra sends "Replace"). */
export type PatchOperationType = "add" | "remove" | "replace";

/** A PATCH target, RFC 7644 §3.5.2's `PATH = attrPath / valuePath [subAttr]`. */
export interface PatchPath {
  readonly schema?: string;
  readonly attribute: string;
  /** The value filter of `emails[type eq "work"]`. */
  readonly valueFilter?: Filter;
  /** `givenName` in `name.givenName`, `value` in `emails[type eq "work"].value`. */
  readonly subAttribute?: string;
}

/** One parsed operation of a PatchOp request. `value` is the client's JSON, untouched. */
export interface PatchOperation {
  readonly op: PatchOperationType;
  readonly path?: PatchPath;
  readonly value?: unknown;
}
