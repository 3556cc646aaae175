import type { Middleware } from "koa";
import type { RateLimit, RateLimiterStore } from "./rate-limiter-store.js";
import { respondRateLimited, type RateLimitRefusalHook } from "./respond-rate-limited.js";

/** What authentication left for this middleware: the caller's tenant and key, and the tenant's own limit. */
interface AuthenticatedCaller {
  tenant: { tenantId: string; keyId: string; rateLimit?: RateLimit | undefined };
}

export interface RateLimitSettings {
  /** Each API key's default allowance. */
  perKey: RateLimit;
  /** Each tenant's default allowance, all its keys together. */
  perTenant: RateLimit;
}

/**
 * Runs after authentication: every request takes one from its key's allowance and one from its
 * tenant's, so one tenant's import (or a leaked key's flood) slows that tenant only. A tenant's
 * own limit (set with `scimgw-admin tenants limits`, carried by the cached key verification)
 * replaces both defaults for it: the operator's number for the tenant is then also each of its
 * keys' limit, so a single-key tenant gets what it was given.
 */
export function enforceRateLimits(
  store: RateLimiterStore,
  settings: RateLimitSettings,
  onRefused: RateLimitRefusalHook,
): Middleware<AuthenticatedCaller> {
  return async (ctx, next) => {
    const { tenantId, keyId, rateLimit } = ctx.state.tenant;
    const perKey = rateLimit ?? settings.perKey;
    const perTenant = rateLimit ?? settings.perTenant;
    const key = await store.limiter("key", perKey).consume(`${tenantId}:${keyId}`);
    if (!key.allowed) {
      onRefused("api-key", tenantId);
      respondRateLimited(
        ctx,
        `Too many requests with this API key (its limit is ${perKey.perSecond} per second, bursts of ${perKey.burst}).`,
        key.retryAfterMs,
      );
      return;
    }
    const tenant = await store.limiter("tenant", perTenant).consume(tenantId);
    if (!tenant.allowed) {
      onRefused("tenant", tenantId);
      respondRateLimited(
        ctx,
        `Too many requests for this tenant (its limit is ${perTenant.perSecond} per second, bursts of ${perTenant.burst}, all its API keys together).`,
        tenant.retryAfterMs,
      );
      return;
    }
    await next();
  };
}
