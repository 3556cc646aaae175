import type { Knex } from "knex";
import { LRUCache } from "lru-cache";
import { builtInResourceTypes, type TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import { readSchemaRevision, readTenantResourceTypes } from "./read-tenant-resource-types.js";

export interface TenantSchemaCacheOptions {
  /**
   * How long a tenant's resource types are used before their revision is read again. Writes never
   * depend on it: each checks the revision it was validated by where it commits (claimAtCommit).
   * It bounds only how long a read (a filter on a new attribute) on another replica can lag a
   * schema change made elsewhere.
   */
  revalidateAfterMs: number;
  /** The most tenants remembered; the least recently used is forgotten first. */
  maxTenants: number;
  now?: () => number;
}

interface Entry {
  types: TenantResourceTypes;
  checkedAt: number;
}

/**
 * Each tenant's resource types, so a call does not read the schema tables (a schema changes rarely;
 * calls are many). Concurrent misses of one tenant share one read. A tenant that does not exist gets
 * the built-in types: the call then fails on its own terms (NOT_FOUND...).
 */
export function createTenantSchemaCache(db: Knex, options: TenantSchemaCacheOptions) {
  const now = options.now ?? Date.now;
  // Freshness is the entries' own (checkedAt): a stale entry is still worth its revision, which a
  // refresh compares instead of reading the tenant's extensions again.
  const entries = new LRUCache<string, Entry>({ max: options.maxTenants });
  const pending = new Map<string, Promise<TenantResourceTypes>>();

  function remember(tenantId: string, types: TenantResourceTypes): TenantResourceTypes {
    entries.set(tenantId, { types, checkedAt: now() });
    return types;
  }

  async function refresh(tenantId: string, cached: Entry | undefined): Promise<TenantResourceTypes> {
    if (cached !== undefined) {
      const revision = await readSchemaRevision(db, tenantId);
      if (revision === cached.types.revision) return remember(tenantId, cached.types);
    }
    return remember(tenantId, (await readTenantResourceTypes(db, tenantId)) ?? builtInResourceTypes);
  }

  return {
    /**
     * The tenant's resource types, at least at `atLeastRevision` when given (a caller that has seen
     * a newer revision than the cache holds makes it read again at once).
     */
    get(tenantId: string, atLeastRevision = 0n): Promise<TenantResourceTypes> {
      const cached = entries.get(tenantId);
      if (cached !== undefined && cached.types.revision >= atLeastRevision && now() - cached.checkedAt < options.revalidateAfterMs) {
        return Promise.resolve(cached.types);
      }
      let read = pending.get(tenantId);
      if (read === undefined) {
        read = refresh(
          tenantId,
          cached?.types.revision !== undefined && cached.types.revision >= atLeastRevision ? cached : undefined,
        ).finally(() => pending.delete(tenantId));
        pending.set(tenantId, read);
      }
      return read;
    },
    /** Remembers types just read in a transaction (after a schema change, or a write that found the cache stale). */
    put(tenantId: string, types: TenantResourceTypes): void {
      const cached = entries.peek(tenantId);
      if (cached === undefined || cached.types.revision <= types.revision) remember(tenantId, types);
    },
  };
}

export type TenantSchemaCache = ReturnType<typeof createTenantSchemaCache>;
