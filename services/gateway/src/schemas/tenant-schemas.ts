import { LRUCache } from "lru-cache";
import type { ListSchemaExtensionsResponse } from "@scimgw/proto";
import { groupResourceType, userResourceType, type ResourceTypeDefinition } from "@scimgw/scim";
import { extendedResourceTypes } from "@scimgw/scim-proto";

/** A tenant's User and Group resource types (the built-in ones with its extensions), at one schema revision. */
export interface TenantSchemas {
  /** The tenant's schema revision these were read at; writes built by them send it as `schema_revision`. */
  readonly revision: bigint;
  readonly user: ResourceTypeDefinition;
  readonly group: ResourceTypeDefinition;
}

/** A tenant without extensions (schema revision 0): the built-in types, no directory call. */
export const builtInSchemas: TenantSchemas = { revision: 0n, user: userResourceType, group: groupResourceType };

/** A ListSchemaExtensions answer as the SCIM core's resource types. */
export function tenantSchemasOf(response: Pick<ListSchemaExtensionsResponse, "extensions" | "schemaRevision">): TenantSchemas {
  if (response.schemaRevision === 0n && response.extensions.length === 0) return builtInSchemas;
  return { revision: response.schemaRevision, ...extendedResourceTypes(response.extensions) };
}

export interface TenantSchemaCacheOptions {
  /** The most tenants remembered; the least recently used is forgotten first. */
  maxTenants: number;
  now?: () => number;
}

interface Entry {
  schemas: TenantSchemas;
  readAt: number;
}

/**
 * Each tenant's resource types, read with SchemaService.ListSchemaExtensions only when the tenant's
 * schema revision says they changed. The revision arrives with the API key's verification, which the
 * key cache holds for its TTL, so it is a lower bound: revisions only grow, and an entry at or above
 * it is current enough. A tenant at revision 0 with nothing remembered has the built-in types and
 * costs no call, so tenants without extensions pay nothing. Concurrent reads of one tenant share one
 * call; a failed read is not remembered.
 */
export function createTenantSchemaCache(
  listSchemaExtensions: (tenantId: string) => Promise<Pick<ListSchemaExtensionsResponse, "extensions" | "schemaRevision">>,
  options: TenantSchemaCacheOptions,
) {
  const now = options.now ?? Date.now;
  const entries = new LRUCache<string, Entry>({ max: options.maxTenants });
  const pending = new Map<string, Promise<TenantSchemas>>();

  function remember(tenantId: string, entry: Entry): void {
    const held = entries.peek(tenantId);
    // A slower read of an older revision never replaces a newer one.
    if (held !== undefined && held.schemas.revision > entry.schemas.revision) return;
    entries.set(tenantId, entry);
  }

  function read(tenantId: string): Promise<TenantSchemas> {
    let reading = pending.get(tenantId);
    if (reading === undefined) {
      reading = listSchemaExtensions(tenantId)
        .then((response) => {
          const schemas = tenantSchemasOf(response);
          remember(tenantId, { schemas, readAt: now() });
          return entries.peek(tenantId)?.schemas ?? schemas;
        })
        .finally(() => pending.delete(tenantId));
      pending.set(tenantId, reading);
    }
    return reading;
  }

  return {
    /** The tenant's types at `knownRevision` (from its key's verification) or newer. */
    get(tenantId: string, knownRevision: bigint): Promise<TenantSchemas> {
      const held = entries.get(tenantId); // marks the tenant recently used
      if (held !== undefined && held.schemas.revision >= knownRevision) return Promise.resolve(held.schemas);
      if (held === undefined && knownRevision === 0n) return Promise.resolve(builtInSchemas);
      return read(tenantId);
    },
    /**
     * The tenant's types read again, after the directory refused a write built by `staleRevision`
     * (SCHEMA_CHANGED); no call when another request has already read a newer revision.
     */
    reload(tenantId: string, staleRevision: bigint): Promise<TenantSchemas> {
      const held = entries.get(tenantId);
      if (held !== undefined && held.schemas.revision > staleRevision) return Promise.resolve(held.schemas);
      return read(tenantId);
    },
    /**
     * The tenant's types read again unless they were read within `withinMs`: for a body naming a
     * schema the held types do not know, which may be one registered since (at most one call per
     * tenant per `withinMs`, whatever a client keeps sending).
     */
    recheck(tenantId: string, withinMs: number): Promise<TenantSchemas> {
      const held = entries.get(tenantId);
      if (held !== undefined && now() - held.readAt < withinMs) return Promise.resolve(held.schemas);
      return read(tenantId);
    },
    get size(): number {
      return entries.size;
    },
  };
}

export type TenantSchemaCache = ReturnType<typeof createTenantSchemaCache>;
