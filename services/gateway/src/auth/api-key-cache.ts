/**
 * A bounded, time-limited memo of key verifications, so a SCIM request costs one directory call
 * (its own) rather than two. Concurrent lookups of one key share a single verification.
 * Its TTL is how long a revoked key can keep working on a gateway.
 */
export interface ApiKeyCacheOptions {
  /** How long a successful verification is trusted. */
  ttlMs: number;
  /** How long an unknown key is remembered as unknown (kept short: a new key must work at once). */
  negativeTtlMs: number;
  /** The most keys remembered; the least recently used is forgotten first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry<T> {
  value: Promise<T | undefined>;
  expiresAt: number;
}

export function createApiKeyCache<T>(verify: (keySha256: string) => Promise<T | undefined>, options: ApiKeyCacheOptions) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();

  function remember(keySha256: string, entry: Entry<T>): void {
    entries.delete(keySha256);
    entries.set(keySha256, entry);
    if (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  }

  return {
    async lookup(keySha256: string): Promise<T | undefined> {
      const cached = entries.get(keySha256);
      if (cached !== undefined && cached.expiresAt > now()) {
        remember(keySha256, cached); // refresh recency
        return cached.value;
      }
      const value = verify(keySha256);
      // Until it settles, the entry lives as long as a positive one; then its real lifetime applies.
      const entry: Entry<T> = { value, expiresAt: now() + options.ttlMs };
      remember(keySha256, entry);
      try {
        const result = await value;
        if (result === undefined) entry.expiresAt = now() + options.negativeTtlMs;
        return result;
      } catch (error) {
        // A failed verification (directory down) is not an answer: never cache it.
        if (entries.get(keySha256) === entry) entries.delete(keySha256);
        throw error;
      }
    },
    get size(): number {
      return entries.size;
    },
  };
}
