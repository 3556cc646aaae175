import { createHash } from "node:crypto";
import type { Context, Middleware } from "koa";
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
  /**
   * The tenant's schema revision when the key was verified (SchemaService): a lower bound, as old
   * as the key cache's TTL, telling the gateway when to read the tenant's extensions again.
   */
  schemaRevision: bigint;
}

/** A key the directory knows but refuses (revoked, or of a suspended tenant): named, never the secret. */
export interface KnownKey {
  tenantId: string;
  keyId: string;
  keyLabel: string;
}

/**
 * What a presented key turned out to be. A refused key the directory still knows names its tenant,
 * so the refusal is recorded in that tenant's activity log.
 */
export type KeyVerdict =
  | { valid: true; tenant: Tenant }
  | { valid: false; refusal: "unknown" }
  | { valid: false; refusal: "revoked" | "suspended"; key: KnownKey };

/** Asks the directory about a key: a verdict, or a throw when the directory cannot say (down, misconfigured). */
export type VerifyKey = (keySha256: string) => Promise<KeyVerdict>;

/**
 * The verdict of a VerifyApiKey failure, or undefined when the failure is not a verdict on the key
 * (an UNAUTHENTICATED about the gateway's own service credential is a server fault, and must not
 * be cached as a bad key).
 */
export function verdictOfRefusal(error: unknown): KeyVerdict | undefined {
  if (!(error instanceof RpcError) || error.code !== Code.UNAUTHENTICATED) return undefined;
  const { tenant_id: tenantId, key_id: keyId, key_label: keyLabel } = error.metadata;
  const key = tenantId !== undefined && keyId !== undefined ? { tenantId, keyId, keyLabel: keyLabel ?? "" } : undefined;
  if (error.reason === ErrorReason.TENANT_SUSPENDED && key !== undefined) return { valid: false, refusal: "suspended", key };
  if (error.reason !== ErrorReason.UNKNOWN_API_KEY) return undefined;
  return key === undefined ? { valid: false, refusal: "unknown" } : { valid: false, refusal: "revoked", key };
}

const refusedKeys = new WeakMap<Context, KnownKey>();

/** The known key a request was refused with (revoked, or its tenant suspended), for its activity entry. */
export function refusedKeyOf(ctx: Context): KnownKey | undefined {
  return refusedKeys.get(ctx);
}

/** A whole Authorization header that is one token and nothing else: maybe a key without its scheme. */
function bareToken(header: string | undefined): string | undefined {
  return header !== undefined && /^[^\s]{20,512}$/.test(header) ? header : undefined;
}

const missingSchemeDetail = "Authentication required: send the API key as `Authorization: Bearer <key>`.";
const bareKeyDetail =
  "The API key is right but was sent without its scheme: send it as `Authorization: Bearer <key>`, with the word Bearer and a space before the key.";

/** What the client is told for each refusal (RFC 7644 §3.12: 401, no scimType). */
const refusalDetail = {
  unknown: "The API key is not valid: it is unknown or has been revoked.",
  revoked: "The API key is not valid: it is unknown or has been revoked.",
  suspended:
    "This API key's tenant is suspended: the provider has paused its provisioning (nothing has been deleted). Ask them to resume it.",
} as const;

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
  const cache = createApiKeyCache<KeyVerdict>(verifyKey, cacheOptions);

  return async (ctx, next) => {
    const header = ctx.get("authorization") || undefined;
    const bearer = bearerToken(header);
    // A key pasted without its scheme (a common slip in an IdP's "HTTP Header" setting) is still
    // looked up, so the answer can say the key is right and the refusal reaches its tenant's log.
    const bare = bearer === undefined ? bareToken(header) : undefined;
    const token = bearer ?? bare;
    if (token === undefined) throw ScimError.status(401, missingSchemeDetail);
    const keySha256 = createHash("sha256").update(token, "utf8").digest("hex");
    const cached = cache.peek(keySha256);
    if (failedAuthentication !== undefined && !(cached.hit && cached.value.valid) && !cache.wasValid(keySha256)) {
      const address = await failedAuthentication.counter.blocked(ctx.ip);
      if (!address.allowed) {
        failedAuthentication.onRefused("failed-authentication", undefined);
        respondRateLimited(ctx, "Too many failed authentications from this address.", address.retryAfterMs);
        return;
      }
    }
    const verdict = cached.hit ? cached.value : await cache.lookup(keySha256);
    if (bare !== undefined) {
      if (!verdict.valid) {
        if (verdict.refusal === "unknown") await failedAuthentication?.counter.record(ctx.ip);
        throw ScimError.status(401, missingSchemeDetail);
      }
      refusedKeys.set(ctx, { tenantId: verdict.tenant.tenantId, keyId: verdict.tenant.keyId, keyLabel: verdict.tenant.keyLabel });
      throw ScimError.status(401, bareKeyDetail);
    }
    if (!verdict.valid) {
      // Only unknown keys count towards the address's failures: a known key is not a guess.
      if (verdict.refusal === "unknown") await failedAuthentication?.counter.record(ctx.ip);
      else refusedKeys.set(ctx, verdict.key);
      throw ScimError.status(401, refusalDetail[verdict.refusal]);
    }
    ctx.state.tenant = verdict.tenant;
    await next();
  };
}
