import type { EntitlementService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { catalogResourceType, parseFilter, resolveFilter, userResourceType, type Filter } from "@scimgw/scim";
import { filterFromProto } from "@scimgw/scim-proto";
import { invalidArgument } from "../errors/directory-errors.js";
import { listPagingOf, pageByCursor } from "../query/list-paging.js";
import { decodePageToken, encodePageToken, queryFingerprint } from "../query/page-token.js";
import type { KeysetColumn } from "../query/keyset.js";
import { userKeyset } from "../users/compile-user-sort.js";
import type { UserStore } from "../users/user-store.js";
import { entraRoleType } from "../search/user-assignments.js";
import { kindOfProto, typeFromRow, type CatalogStore } from "./catalog-store.js";

function requireTenant(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

function requireField(value: string, name: string): string {
  if (value === "") throw invalidArgument(`${name} is required`);
  return value;
}

/** Entries are listed by id alone: the one column a catalog cursor resumes after. */
const entryKeyset: readonly KeysetColumn[] = [{ column: "id", sql: '"id"', descending: false, nullable: false }];

/** A SCIM string literal, quoted as the filter grammar reads it (RFC 7644 §3.4.2.2, JSON strings). */
const literal = (text: string) => JSON.stringify(text);

/**
 * Who holds a value, as a SCIM filter: `entitlements[value eq "v" and (type eq "T" or not (type
 * pr))]` (or roles). A value without a type matches, as Okta sends roles without one, and so does a
 * role of Entra's (whose type is always its own, entraRoleType). The listing reads the holders from
 * user_assignments (search/user-assignments.ts), which folds values and types by the same rule, so
 * it answers exactly what this filter would at the cost of an index range (list-holders.test.ts
 * compares the two); the filter also keys the listing's page tokens.
 */
export function holdersFilter(attribute: "entitlements" | "roles", type: string, value: string): Filter {
  const entra = attribute === "roles" ? ` or type eq ${literal(entraRoleType)}` : "";
  return resolveFilter(
    parseFilter(`${attribute}[value eq ${literal(value)} and (type eq ${literal(type)} or not (type pr)${entra})]`),
    userResourceType,
  );
}

export function createEntitlementService(catalog: CatalogStore, users: UserStore): ServiceImplementationOf<typeof EntitlementService> {
  return {
    async putEntitlementType(request, context) {
      if (request.type === undefined) throw invalidArgument("type is required");
      return await catalog.putType(requireTenant(request.tenantId), request.type, context.signal);
    },

    async deleteEntitlementType(request, context) {
      const deleted = await catalog.deleteType(requireTenant(request.tenantId), requireField(request.name, "name"), context.signal);
      return { deletedEntries: BigInt(deleted) };
    },

    async listEntitlementTypes(request) {
      return { types: (await catalog.listTypes(requireTenant(request.tenantId))).map(typeFromRow) };
    },

    async upsertEntitlement(request, context) {
      if (request.entitlement === undefined) throw invalidArgument("entitlement is required");
      requireField(request.entitlement.type, "entitlement.type");
      return await catalog.upsert(requireTenant(request.tenantId), request.entitlement, context.signal);
    },

    async deleteEntitlement(request, context) {
      await catalog.deleteEntry(
        requireTenant(request.tenantId),
        requireField(request.type, "type"),
        requireField(request.id, "id"),
        context.signal,
      );
      return {};
    },

    async getEntitlement(request) {
      return {
        entitlement: await catalog.get(requireTenant(request.tenantId), requireField(request.type, "type"), requireField(request.id, "id")),
      };
    },

    async listEntitlements(request) {
      const tenantId = requireTenant(request.tenantId);
      const typeRow = await catalog.typeRow(tenantId, requireField(request.type, "type"));
      // Resolved against the type's own resource type, so attribute names match case-insensitively.
      const filter =
        request.filter === undefined
          ? undefined
          : resolveFilter(
              filterFromProto(request.filter),
              catalogResourceType({ name: typeRow.name, kind: typeRow.kind, endpoint: typeRow.endpoint, description: "" }),
            );
      const paging = listPagingOf(request);
      if (paging.kind === "offset") {
        const page = await catalog.list(tenantId, typeRow.name, filter, { startIndex: paging.startIndex, count: paging.count });
        return { entitlements: page.entitlements, totalResults: BigInt(page.totalResults) };
      }
      const fingerprint = queryFingerprint({ resource: `Catalog:${typeRow.name_key}`, tenantId, filter, keyset: entryKeyset });
      const after = paging.pageToken === "" ? undefined : (decodePageToken(paging.pageToken, fingerprint, entryKeyset)[0] ?? undefined);
      const page = await catalog.list(tenantId, typeRow.name, filter, { after, count: paging.count });
      return {
        entitlements: page.entitlements,
        totalResults: BigInt(page.totalResults),
        nextPageToken: page.nextAfter === undefined ? "" : encodePageToken(fingerprint, [page.nextAfter]),
      };
    },

    async listUsersWithEntitlement(request) {
      const tenantId = requireTenant(request.tenantId);
      const attribute = kindOfProto(request.kind) === "entitlement" ? "entitlements" : "roles";
      const held = { attribute, type: requireField(request.type, "type"), value: requireField(request.value, "value") } as const;
      const filter = holdersFilter(attribute, held.type, held.value);
      const paging = listPagingOf({ count: request.count, pageToken: request.pageToken });
      if (paging.kind !== "cursor") throw new Error("ListUsersWithEntitlement pages by cursor only");
      const page = await pageByCursor({ resource: "User", tenantId, filter, keyset: userKeyset(undefined) }, paging, (after) =>
        users.listHoldersAfter(tenantId, held, after, paging.count),
      );
      return { users: page.items, nextPageToken: page.nextPageToken };
    },
  };
}
