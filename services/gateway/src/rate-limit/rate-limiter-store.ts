import pg from "pg";
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
  type IRateLimiterOptions,
} from "rate-limiter-flexible";

/** A request rate: `perSecond` sustained, and up to `burst` requests at once after a quiet period. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** What a limiter says about one more request. */
export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface Limiter {
  /** Takes one request from `key`'s allowance. */
  consume(key: string): Promise<LimitOutcome>;
}

/** Counts failures (failed authentications) per key, and says whether a key has used up its allowance. */
export interface FailureCounter {
  /** Whether `key` is over its limit now, without counting anything. */
  blocked(key: string): Promise<LimitOutcome>;
  /** Counts one failure of `key`. */
  record(key: string): Promise<void>;
}

/**
 * Where limiters keep their counters: in this process's memory (one gateway), or in a PostgreSQL
 * table every gateway shares, so a limit holds across a scaled-out deployment. Counting is
 * rate-limiter-flexible's (atomic upserts on PostgreSQL); this only builds its limiters.
 */
export interface RateLimiterStore {
  readonly kind: "memory" | "postgres";
  /** The limiter named `name` with this limit; the same arguments give the same limiter. */
  limiter(name: string, limit: RateLimit): Limiter;
  /** A counter of at most `points` failures per `windowSeconds`. */
  failureCounter(name: string, points: number, windowSeconds: number): FailureCounter;
  close(): Promise<void>;
}

function retryAfterOf(rejection: unknown): LimitOutcome {
  if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1, rejection.msBeforeNext) };
  throw rejection; // a store failure, not a verdict
}

/**
 * A token bucket from two of rate-limiter-flexible's fixed windows (its BurstyRateLimiter): the
 * sustained `perSecond` per second, and once that is spent, a reserve of `burst − perSecond`
 * requests that refills over `burst / perSecond` seconds. So a client may send `burst` requests in
 * its first second after a pause, and at most about `perSecond` a second for as long as it likes.
 */
function burstyLimiter(build: (options: IRateLimiterOptions) => RateLimiterAbstract, name: string, limit: RateLimit): Limiter {
  const prefix = `${name}:${limit.perSecond}:${limit.burst}`;
  const sustained = build({ keyPrefix: `${prefix}:s`, points: limit.perSecond, duration: 1 });
  const reserve = build({
    keyPrefix: `${prefix}:b`,
    points: Math.max(1, limit.burst - limit.perSecond),
    duration: Math.max(1, Math.ceil(limit.burst / limit.perSecond)),
  });
  const bursty = new BurstyRateLimiter(sustained, reserve);
  return {
    async consume(key) {
      try {
        await bursty.consume(key);
        return { allowed: true };
      } catch (rejection) {
        return retryAfterOf(rejection);
      }
    },
  };
}

function failureCounterOf(limiter: RateLimiterAbstract, points: number): FailureCounter {
  return {
    async blocked(key) {
      const state = await limiter.get(key);
      return state !== null && state.consumedPoints >= points
        ? { allowed: false, retryAfterMs: Math.max(1, state.msBeforeNext) }
        : { allowed: true };
    },
    async record(key) {
      await limiter.penalty(key, 1);
    },
  };
}

function storeOf(kind: RateLimiterStore["kind"], build: (options: IRateLimiterOptions) => RateLimiterAbstract, close: () => Promise<void>) {
  const limiters = new Map<string, Limiter>();
  return {
    kind,
    limiter(name: string, limit: RateLimit): Limiter {
      const id = `${name}:${limit.perSecond}:${limit.burst}`;
      let limiter = limiters.get(id);
      if (limiter === undefined) {
        limiter = burstyLimiter(build, name, limit);
        limiters.set(id, limiter);
      }
      return limiter;
    },
    failureCounter(name: string, points: number, windowSeconds: number): FailureCounter {
      return failureCounterOf(build({ keyPrefix: `${name}:${points}:${windowSeconds}`, points, duration: windowSeconds }), points);
    },
    close,
  } satisfies RateLimiterStore;
}

/** Counters in this process: right for one gateway, and the default. */
export function createMemoryRateLimiterStore(): RateLimiterStore {
  return storeOf(
    "memory",
    (options) => new RateLimiterMemory(options),
    async () => undefined,
  );
}

export interface PostgresRateLimiterOptions {
  /** A libpq URL (RATE_LIMIT_DATABASE_URL). */
  url: string;
  /** The table the counters live in; created if missing. */
  tableName: string;
  /** Connections per gateway. */
  poolMax?: number;
}

/**
 * Counters in PostgreSQL, shared by every gateway that names the same table. The table is
 * created once here (a creator that loses a race with another gateway sets up again); a limiter that cannot
 * reach the database falls back to counting in memory (rate-limiter-flexible's insurance
 * limiter), so an outage of the counters' database never turns into an outage of SCIM.
 */
export async function createPostgresRateLimiterStore(options: PostgresRateLimiterOptions): Promise<RateLimiterStore> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? 4, application_name: "scimgw-gateway-rate-limits" });
  const setUp = () =>
    new Promise<void>((resolve, reject) => {
      // This instance only creates the table and, once an hour, clears expired counters.
      new RateLimiterPostgres(
        {
          storeClient: pool,
          storeType: "pool",
          tableName: options.tableName,
          keyPrefix: "setup",
          points: 1,
          duration: 1,
          clearExpiredByTimeout: true,
        },
        (error?: Error) => (error ? reject(error) : resolve()),
      );
    });
  for (let attempt = 1; ; attempt++) {
    try {
      await setUp();
      break;
    } catch (error) {
      // Gateways starting together race on CREATE TABLE IF NOT EXISTS, and the loser can still fail
      // on the catalog's unique index (42710 duplicate type, 23505, 42P07): the table then exists,
      // so the setup is run again, once or twice.
      const code = (error as { code?: unknown }).code;
      if (attempt < 3 && (code === "42710" || code === "23505" || code === "42P07")) continue;
      await pool.end();
      throw error;
    }
  }
  return storeOf(
    "postgres",
    (limiterOptions) =>
      new RateLimiterPostgres({
        ...limiterOptions,
        storeClient: pool,
        storeType: "pool",
        tableName: options.tableName,
        tableCreated: true,
        clearExpiredByTimeout: false,
        insuranceLimiter: new RateLimiterMemory(limiterOptions),
      }),
    () => pool.end(),
  );
}
