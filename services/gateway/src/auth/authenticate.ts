import { createHash } from "node:crypto";
import type { Middleware } from "koa";
import { Code, ErrorReason, RpcError } from "@scimgw/directory-client";
import { ScimError } from "@scimgw/scim";
import type { FailureCounter, RateLimit } from "../rate-limit/rate-limiter-store.js";
import { respondRateLimited, type RateLimitRefusalHook } from "../rate-limit/respond-rate-limited.js";
import { createApiKeyCache, type ApiKeyCacheOptions } from "./api-key-cache.js";

export interface Tenant {
  tenantId: string;
  keyId: string;
  /** The key's label, given when it was issued (safe to log). */
  keyLabel: string;
  /** The tenant's own rate limit, if an operator set one; else the gateway's defaults apply. */
  rateLimit?: RateLimit;
}

export type VerifyKey = (keySha256: string) => Promise<Tenant>;

/** The state authenticate() leaves for the routes. */
export interface AuthenticatedState {
  tenant: Tenant;
}

/** Failed authentications allowed per client address before its unknown keys stop being looked up. */
export interface FailedAuthenticationLimit {
  counter: FailureCounter;
  onRefused: RateLimitRefusalHook;
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, the scheme matched case-insensitively. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Resolves the request's API key to its tenant through the directory, remembering answers for
 * the cache's TTL. Missing, malformed, unknown and revoked keys are all 401 (RFC 7644 §3.12).
 *
 * A client address that has failed authentication too often gets 429 for keys the gateway does
 * not know to be valid, without asking the directory: a key-guessing flood costs neither a
 * directory query per guess nor a valid key's cache entry. Keys known valid still pass from that
 * address, since identity providers share egress addresses between their customers.
 */
export function authenticate(
  verifyKey: VerifyKey,
  cacheOptions: ApiKeyCacheOptions,
  failedAuthentication?: FailedAuthenticationLimit,
): Middleware<AuthenticatedState> {
  const cache = createApiKeyCache<Tenant>(async (keySha256) => {
    try {
      return await verifyKey(keySha256);
    } catch (error) {
      // Only the directory's verdict on the key itself means "not valid"; an UNAUTHENTICATED about
      // the gateway's own service credential is a server fault, and must not be cached as a bad key.
      if (error instanceof RpcError && error.code === Code.UNAUTHENTICATED && error.reason === ErrorReason.UNKNOWN_API_KEY)
        return undefined;
      throw error;
    }
  }, cacheOptions);

  return async (ctx, next) => {
    const token = bearerToken(ctx.get("authorization") || undefined);
    if (token === undefined) {
      throw ScimError.status(401, "Authentication required: send the API key as `Authorization: Bearer <key>`.");
    }
    const keySha256 = createHash("sha256").update(token, "utf8").digest("hex");
    const cached = cache.peek(keySha256);
    if (failedAuthentication !== undefined && !(cached.hit && cached.value !== undefined) && !cache.wasValid(keySha256)) {
      const address = await failedAuthentication.counter.blocked(ctx.ip);
      if (!address.allowed) {
        failedAuthentication.onRefused("failed-authentication", undefined);
        respondRateLimited(ctx, "Too many failed authentications from this address.", address.retryAfterMs);
        return;
      }
    }
    const tenant = cached.hit ? cached.value : await cache.lookup(keySha256);
    if (tenant === undefined) {
      await failedAuthentication?.counter.record(ctx.ip);
      throw ScimError.status(401, "The API key is not valid: it is unknown or has been revoked.");
    }
    ctx.state.tenant = tenant;
    await next();
  };
}
