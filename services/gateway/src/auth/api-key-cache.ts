import { LRUCache } from "lru-cache";

/**
 * A bounded, time-limited memo of key verifications, so a SCIM request costs one directory call
 * (its own) rather than two. Concurrent lookups of one key share a single verification.
 * Its TTL is how long a revoked key can keep working on a gateway (and how long a tenant's new
 * rate limit takes to arrive, since verifications carry it).
 *
 * Valid and unknown keys are remembered apart, each in its own bounded LRU: a flood of random keys
 * only evicts other unknown keys, never a tenant's valid one.
 */
export interface ApiKeyCacheOptions {
  /** How long a successful verification is trusted. */
  ttlMs: number;
  /** How long an unknown key is remembered as unknown (kept short: a new key must work at once). */
  negativeTtlMs: number;
  /** The most valid keys remembered; the least recently used is forgotten first. */
  maxEntries: number;
  /** The most unknown keys remembered (default: 1000, or maxEntries if smaller). */
  maxUnknownEntries?: number;
  now?: () => number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * A key's verification as the cache holds it: `valid` ones are remembered for ttlMs in the valid
 * LRU, the others (unknown, revoked, suspended keys) for negativeTtlMs in the unknown one.
 */
export interface Verdict {
  valid: boolean;
}

export function createApiKeyCache<T extends Verdict>(verify: (keySha256: string) => Promise<T>, options: ApiKeyCacheOptions) {
  const now = options.now ?? Date.now;
  const maxUnknown = options.maxUnknownEntries ?? Math.min(1000, options.maxEntries);
  // Expiry is the entries' own (expiresAt), not the LRU's: a valid key stays known past its TTL
  // for wasValid, until the bound evicts it.
  const valid = new LRUCache<string, Entry<T>>({ max: options.maxEntries });
  const unknown = new LRUCache<string, Entry<T>>({ max: maxUnknown });
  // In flight, so concurrent lookups share one call; bounded by the requests being served.
  const pending = new Map<string, Promise<T>>();

  async function verifyOnce(keySha256: string): Promise<T> {
    const result = await verify(keySha256);
    if (!result.valid) {
      valid.delete(keySha256);
      unknown.set(keySha256, { value: result, expiresAt: now() + options.negativeTtlMs });
    } else {
      unknown.delete(keySha256);
      valid.set(keySha256, { value: result, expiresAt: now() + options.ttlMs });
    }
    return result;
  }

  return {
    /** The cached answer if it is still fresh, without calling the directory; else `miss`. */
    peek(keySha256: string): { hit: true; value: T } | { hit: false } {
      const cached = valid.peek(keySha256) ?? unknown.peek(keySha256);
      if (cached === undefined || cached.expiresAt <= now()) return { hit: false };
      return { hit: true, value: cached.value };
    },
    /** Whether the key was valid when last verified, however long ago (still in the LRU). */
    wasValid(keySha256: string): boolean {
      return valid.has(keySha256);
    },
    async lookup(keySha256: string): Promise<T> {
      // get() marks a valid key recently used; an unknown key's recency is left as it was.
      const cached = valid.get(keySha256) ?? unknown.peek(keySha256);
      if (cached !== undefined && cached.expiresAt > now()) return cached.value;
      const inFlight = pending.get(keySha256);
      if (inFlight !== undefined) return inFlight;
      // A failed verification (directory down) is not an answer: it is never cached.
      const value = verifyOnce(keySha256).finally(() => pending.delete(keySha256));
      pending.set(keySha256, value);
      return value;
    },
    get size(): number {
      return valid.size + unknown.size;
    },
  };
}
