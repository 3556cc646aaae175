import { createHash } from "node:crypto";
import type { Middleware } from "koa";
import { Code, ErrorReason, RpcError } from "@scimgw/directory-client";
import { ScimError } from "@scimgw/scim";
import { createApiKeyCache, type ApiKeyCacheOptions } from "./api-key-cache.js";

export interface Tenant {
  tenantId: string;
  keyId: string;
}

export type VerifyKey = (keySha256: string) => Promise<Tenant>;

/** The state authenticate() leaves for the routes. */
export interface AuthenticatedState {
  tenant: Tenant;
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, the scheme matched case-insensitively. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Resolves the request's API key to its tenant through the directory, remembering answers for
 * the cache's TTL. Missing, malformed, unknown and revoked keys are all 401 (RFC 7644 §3.12).
 */
export function authenticate(verifyKey: VerifyKey, cacheOptions: ApiKeyCacheOptions): Middleware<AuthenticatedState> {
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
    const tenant = await cache.lookup(createHash("sha256").update(token, "utf8").digest("hex"));
    if (tenant === undefined) throw ScimError.status(401, "The API key is not valid: it is unknown or has been revoked.");
    ctx.state.tenant = tenant;
    await next();
  };
}
