// The request bodies Microsoft Entra's provisioning service sends, built in our own code from the
// shapes described in shared/IDP-NOTES.md §2 (MS-USE, MS-COMPAT, MGR-ISSUES).
import { randomUUID } from "node:crypto";
import { patchOpUrn, randomUserName, userSchemaUrn } from "./scim-client.js";
import { enterpriseUserUrn } from "./scim-checks.js";

export interface EntraUserOptions {
  userName?: string;
  externalId?: string;
  givenName?: string;
  familyName?: string;
  workEmail?: string;
  employeeNumber?: string;
  department?: string;
  /** The `id` of the manager's User on our side. */
  managerId?: string;
  /** Attributes added to (or overriding) the body, for tests that need more mapped values. */
  more?: Record<string, unknown>;
}

/**
 * A POST /Users body as Entra sends it (MS-USE "Create User" and "Provision a user"): core and
 * enterprise schemas, `meta.resourceType`, an empty `roles`, and `null` for every mapped attribute
 * the Entra user has no value for, two of them enterprise names sent at the top level.
 */
export function entraUser(options: EntraUserOptions = {}): Record<string, unknown> {
  const userName = options.userName ?? randomUserName("entra");
  const givenName = options.givenName ?? "Joy";
  const familyName = options.familyName ?? "Young";
  return {
    schemas: [userSchemaUrn, enterpriseUserUrn],
    externalId: options.externalId ?? randomUUID(),
    userName,
    active: true,
    emails: [{ primary: true, type: "work", value: options.workEmail ?? userName }],
    meta: { resourceType: "User" },
    name: { formatted: `${givenName} ${familyName}`, familyName, givenName },
    roles: [],
    addresses: null,
    phoneNumbers: null,
    preferredLanguage: null,
    title: null,
    department: null,
    manager: null,
    [enterpriseUserUrn]: {
      employeeNumber: options.employeeNumber ?? String(100000 + Math.floor(Math.random() * 900000)),
      department: options.department ?? "Research",
      manager: options.managerId === undefined ? null : { value: options.managerId },
    },
    ...options.more,
  };
}

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

/** A PatchOp request (RFC 7644 §3.5.2) with these operations. */
export function patchRequest(...operations: PatchOperation[]): { schemas: string[]; Operations: PatchOperation[] } {
  return { schemas: [patchOpUrn], Operations: operations };
}

/**
 * Entra's legacy PATCH dialect, still the default for many tenants (MS-COMPAT, without the
 * aadOptscim062020 flag): capitalised op names, one operation per attribute, booleans as strings.
 */
export const legacyOp = {
  add: (path: string, value: unknown): PatchOperation => ({ op: "Add", path, value }),
  replace: (path: string, value: unknown): PatchOperation => ({ op: "Replace", path, value }),
  remove: (path: string, value?: unknown): PatchOperation => ({ op: "Remove", path, ...(value === undefined ? {} : { value }) }),
};

/**
 * The SCIM-compliant dialect (MS-COMPAT, with aadOptscim062020): lower-case op names, JSON
 * booleans, and several attributes folded into one path-less replace whose keys may be dotted
 * (`name.givenName`) or URN-qualified.
 */
export const compliantOp = {
  add: (path: string, value: unknown): PatchOperation => ({ op: "add", path, value }),
  replace: (path: string, value: unknown): PatchOperation => ({ op: "replace", path, value }),
  replaceAttributes: (value: Record<string, unknown>): PatchOperation => ({ op: "replace", value }),
  remove: (path: string): PatchOperation => ({ op: "remove", path }),
};

/** An enterprise extension attribute's URN-qualified path, e.g. `…:enterprise:2.0:User:manager`. */
export function enterprisePath(attribute: string): string {
  return `${enterpriseUserUrn}:${attribute}`;
}
