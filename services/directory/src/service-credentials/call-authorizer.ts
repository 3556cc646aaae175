import { LRUCache } from "lru-cache";
import { Code, RpcError, type CallContext } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { hashSecret } from "../secrets/secret.js";
import { requiredScopeOf, scopeAllows } from "./required-scopes.js";
import type { ServiceCredentialInfo, ServiceCredentialStore } from "./service-credential-store.js";
import { tenantOfRequest } from "../tenants/tenant-of-request.js";

/** The reasons a caller is refused: an operator's business (a misconfigured service, a revoked credential). */
export const refusedCallerReasons: ReadonlySet<ErrorReason> = new Set([
  ErrorReason.MISSING_SERVICE_CREDENTIAL,
  ErrorReason.UNKNOWN_SERVICE_CREDENTIAL,
  ErrorReason.INSUFFICIENT_SCOPE,
  ErrorReason.TENANT_NOT_GRANTED,
]);

export interface CallAuthorizerOptions {
  /**
   * How long a verification is reused. Every call carries the credential, and a store lookup per
   * call would double the directory's queries; the price is that a revocation takes effect within
   * this period on each replica.
   */
  cacheMs: number;
}

interface CachedVerification {
  credential: ServiceCredentialInfo | undefined;
  expiresAt: number;
}

/**
 * Bounds on the caches. Unknown tokens have a small cache of their own, so a caller cycling
 * through random tokens only evicts other unknown tokens, never the live credentials' entries.
 */
const maxKnown = 10_000;
const maxUnknown = 1_000;

const bearer = /^bearer ([A-Za-z0-9._~+/=-]+)$/i;

/**
 * The directory's authorize hook: every call must carry `authorization: Bearer <service
 * credential>`, the credential's scope must cover the method (see required-scopes.ts), and the
 * tenant the request names must be one the credential was granted.
 * UNAUTHENTICATED when the credential is missing, unknown or revoked; PERMISSION_DENIED when it
 * is valid but read-only and the method writes (INSUFFICIENT_SCOPE), or when the call names a
 * tenant the credential was not granted, or no tenant and the credential is not for all tenants
 * (TENANT_NOT_GRANTED).
 */
export function createCallAuthorizer(store: ServiceCredentialStore, options: CallAuthorizerOptions) {
  const known = new LRUCache<string, CachedVerification>({ max: maxKnown });
  const unknown = new LRUCache<string, CachedVerification>({ max: maxUnknown });

  async function verify(secretSha256: string): Promise<ServiceCredentialInfo | undefined> {
    const cached = known.get(secretSha256) ?? unknown.get(secretSha256);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.credential;
    const credential = await store.verify(secretSha256);
    const entry = { credential, expiresAt: Date.now() + options.cacheMs };
    if (credential === undefined) {
      known.delete(secretSha256);
      unknown.set(secretSha256, entry);
    } else {
      unknown.delete(secretSha256);
      known.set(secretSha256, entry);
    }
    return credential;
  }

  return async function authorize(context: CallContext, request?: unknown): Promise<void> {
    const required = requiredScopeOf(context.method);
    // createDirectoryServer refuses to start with an unlisted method; this keeps the hook closed anyway.
    if (required === undefined)
      throw new RpcError(Code.PERMISSION_DENIED, `${context.method} is not open to any credential`, {
        reason: ErrorReason.INSUFFICIENT_SCOPE,
      });
    const header = context.metadata.get("authorization")[0];
    const token = typeof header === "string" ? bearer.exec(header)?.[1] : undefined;
    if (token === undefined) {
      throw new RpcError(
        Code.UNAUTHENTICATED,
        "this call needs a service credential as `authorization: Bearer <credential>` metadata; an admin issues one with `scimgw-admin credentials issue`",
        { reason: ErrorReason.MISSING_SERVICE_CREDENTIAL },
      );
    }
    const credential = await verify(hashSecret(token));
    if (credential === undefined) {
      throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked service credential", { reason: ErrorReason.UNKNOWN_SERVICE_CREDENTIAL });
    }
    if (!scopeAllows(credential.scope, required)) {
      throw new RpcError(
        Code.PERMISSION_DENIED,
        `${context.method} needs a ${required} credential; "${credential.name}" (${credential.id}) is ${credential.scope}`,
        {
          reason: ErrorReason.INSUFFICIENT_SCOPE,
          metadata: { required, granted: credential.scope, credential: credential.id },
        },
      );
    }
    if (credential.tenants !== "all") {
      const tenantId = tenantOfRequest(request);
      // An empty tenant_id names no tenant either; the handler would refuse it, but a scoped
      // credential learns nothing, not even that, about tenants it was not given.
      if (tenantId === undefined || tenantId === "" || !credential.tenants.includes(tenantId)) {
        throw new RpcError(
          Code.PERMISSION_DENIED,
          tenantId === undefined || tenantId === ""
            ? `${context.method} is about no single tenant and needs an all-tenants credential; "${credential.name}" (${credential.id}) is limited to some tenants`
            : `service credential "${credential.name}" (${credential.id}) is not granted tenant ${tenantId}`,
          { reason: ErrorReason.TENANT_NOT_GRANTED, metadata: { credential: credential.id, ...(tenantId ? { tenant: tenantId } : {}) } },
        );
      }
    }
  };
}
