import type { Knex } from "knex";
import type { KeysetPosition } from "./keyset.js";

/**
 * Where a SCIM offset walk stands: an IdP importing users asks for startIndex 1, 1 + count,
 * 1 + 2·count… (Okta's "Import users", Entra's initial cycle). After serving a page the listing
 * remembers the keyset position of its last row under the startIndex that comes next, so the next
 * page seeks from that position instead of skipping rows with OFFSET, which costs O(startIndex).
 *
 * The seek starts after the last row the client was sent, as cursor paging does: rows inserted or
 * deleted before that position since the previous page do not shift the next page, so an import
 * neither sees a row twice nor skips one that existed throughout. That deviates from strict offset
 * semantics (OFFSET would shift by the rows written meanwhile) in the direction an import wants.
 *
 * The total is remembered with the position and the tenant's change sequence it was counted at
 * (tenants.last_change_seq, which every user, group and membership write moves in its transaction):
 * while the sequence has not moved the set of matches cannot have changed, so the total is reused
 * instead of counting every match again, itself O(n) per page.
 */
export interface RememberedOffset {
  position: KeysetPosition;
  totalResults: number;
  /** The tenant's last_change_seq read before the total was counted. */
  changeSeq: string;
}

export interface OffsetPositionLimits {
  /** Entries across all tenants; the least recently used goes first. 0 remembers nothing. */
  maxEntries: number;
  /** Entries of one tenant, so one tenant's imports cannot evict every other tenant's. */
  maxPerTenant: number;
}

/**
 * 10,000 entries of typically 200–300 bytes (a fingerprint, a tenant id, two or three keys) keep
 * the directory's memory for this near 3 MB; 16 per tenant cover concurrent imports of users and
 * groups by a few IdP apps, and retries of the last pages of each.
 */
export const defaultOffsetPositionLimits: OffsetPositionLimits = { maxEntries: 10_000, maxPerTenant: 16 };

/**
 * Positions longer than this (a sort key of kilobytes: SQLite caps no userName) are not
 * remembered, so no entry is large; such a walk pages by OFFSET as before.
 */
const longestPosition = 1024;

export interface OffsetPositions {
  /** The entry for this startIndex of this listing, if one is remembered; marks it recently used. */
  recall(tenantId: string, fingerprint: string, startIndex: number): RememberedOffset | undefined;
  remember(tenantId: string, fingerprint: string, startIndex: number, entry: RememberedOffset): void;
  /** How many pages were served from a remembered position and how many by OFFSET; for tests and benchmarks. */
  stats(): { hits: number; misses: number; entries: number };
  /** Counts a page by its path (recall alone cannot: a listing may not consult the cache at all). */
  count(path: "hit" | "miss"): void;
}

/** An LRU of walk positions, bounded overall and per tenant. In-process: another replica just misses. */
export function createOffsetPositions(limits: OffsetPositionLimits = defaultOffsetPositionLimits): OffsetPositions {
  // Maps iterate in insertion order: re-inserting on use makes the first key the least recently used.
  const entries = new Map<string, { tenantId: string; entry: RememberedOffset }>();
  const perTenant = new Map<string, Set<string>>();
  let hits = 0;
  let misses = 0;

  const keyOf = (tenantId: string, fingerprint: string, startIndex: number) => `${tenantId}\u0000${fingerprint}\u0000${startIndex}`;

  function forget(key: string): void {
    const found = entries.get(key);
    if (found === undefined) return;
    entries.delete(key);
    const keys = perTenant.get(found.tenantId);
    keys?.delete(key);
    if (keys?.size === 0) perTenant.delete(found.tenantId);
  }

  function touch(key: string, tenantId: string, entry: RememberedOffset): void {
    entries.delete(key);
    entries.set(key, { tenantId, entry });
    const keys = perTenant.get(tenantId) ?? new Set<string>();
    perTenant.set(tenantId, keys);
    keys.delete(key);
    keys.add(key);
  }

  return {
    recall(tenantId, fingerprint, startIndex) {
      const key = keyOf(tenantId, fingerprint, startIndex);
      const found = entries.get(key);
      if (found === undefined) return undefined;
      touch(key, tenantId, found.entry);
      return found.entry;
    },

    remember(tenantId, fingerprint, startIndex, entry) {
      if (limits.maxEntries <= 0 || limits.maxPerTenant <= 0) return;
      if (entry.position.reduce((length, value) => length + (value?.length ?? 0), 0) > longestPosition) return;
      const key = keyOf(tenantId, fingerprint, startIndex);
      touch(key, tenantId, entry);
      const keys = perTenant.get(tenantId);
      // The tenant's own least recently used entry goes first, then the whole cache's.
      for (const oldest of keys ?? []) {
        if ((keys?.size ?? 0) <= limits.maxPerTenant) break;
        forget(oldest);
      }
      for (const oldest of entries.keys()) {
        if (entries.size <= limits.maxEntries) break;
        forget(oldest);
      }
    },

    stats: () => ({ hits, misses, entries: entries.size }),

    count(path) {
      if (path === "hit") hits++;
      else misses++;
    },
  };
}

const perDatabase = new WeakMap<Knex, OffsetPositions>();

/**
 * The one cache of a database's listings, shared by its user and group stores (the fingerprint
 * names the resource). Keyed by the Knex instance, never global: a position or total remembered
 * in one database must never be served from another that happens to hold the same tenant id.
 */
export function offsetPositionsOf(db: Knex): OffsetPositions {
  const positions = perDatabase.get(db) ?? createOffsetPositions();
  perDatabase.set(db, positions);
  return positions;
}

/**
 * The tenant's last_change_seq as a column of a page's own statement, `change_seq` (an
 * uncorrelated subquery: one primary-key read per statement, NULL for an unknown tenant). Read
 * with the page rather than before it, a page costs one round trip instead of two, and the
 * sequence is the one of the page's own snapshot, never later than a total counted after it.
 * Read here rather than through changes/, which would make a folder cycle.
 */
export function changeSequenceColumn(db: Knex, tenantId: string): Knex.Raw {
  return db.raw("(SELECT last_change_seq FROM tenants WHERE id = ?) AS change_seq", [tenantId]);
}

/** A row read with changeSequenceColumn. */
export interface ChangeSequenceRow {
  change_seq: number | string | bigint | null;
}

/** The sequence as the cache compares it, from a page's first row; undefined for an empty page or an unknown tenant. */
export function changeSequenceOfPage(rows: ReadonlyArray<Partial<ChangeSequenceRow>>): string | undefined {
  const sequence = rows[0]?.change_seq;
  return sequence === undefined || sequence === null ? undefined : String(sequence);
}
