import { ErrorReason, type ApiKeyService } from "@scimgw/proto";
import { Code, RpcError, type ServiceImplementationOf } from "@scimgw/grpc";
import { invalidArgument } from "../errors/directory-errors.js";
import { apiKeyMessageOf } from "./api-key-message.js";
import type { ApiKeyStore } from "./api-key-store.js";

function requiredTenantId(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

export function createApiKeyService(keys: ApiKeyStore): ServiceImplementationOf<typeof ApiKeyService> {
  return {
    async verifyApiKey(request) {
      if (!/^[0-9a-f]{64}$/.test(request.keySha256)) {
        throw new RpcError(Code.INVALID_ARGUMENT, "key_sha256 must be 64 lowercase hex digits", { reason: ErrorReason.INVALID_ARGUMENT });
      }
      const verdict = await keys.verify(request.keySha256);
      if (verdict === undefined)
        throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked API key", { reason: ErrorReason.UNKNOWN_API_KEY });
      const { key } = verdict;
      // A known key's refusal names the key and its tenant: the gateway records it in that tenant's
      // activity log (the caller holds the key, so it learns nothing it could not see already).
      const known = { tenant_id: key.tenantId, key_id: key.id, key_label: key.label };
      if (verdict.status === "revoked")
        throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked API key", { reason: ErrorReason.UNKNOWN_API_KEY, metadata: known });
      if (verdict.status === "suspended")
        throw new RpcError(Code.UNAUTHENTICATED, "the API key's tenant is suspended", {
          reason: ErrorReason.TENANT_SUSPENDED,
          metadata: known,
        });
      return {
        tenantId: key.tenantId,
        keyId: key.id,
        keyLabel: key.label,
        schemaRevision: verdict.schemaRevision,
        ...(verdict.tenantRateLimit === null ? {} : { tenantRateLimit: verdict.tenantRateLimit }),
      };
    },

    // The label rule (api-key-label.ts) and the tenant's existence are the store's, as for the CLI.
    async issueApiKey(request) {
      const { key, info } = await keys.issue(requiredTenantId(request.tenantId), request.label);
      return { key, apiKey: apiKeyMessageOf(info) };
    },

    async listApiKeys(request) {
      const all = await keys.list(requiredTenantId(request.tenantId), { liveOnly: !request.includeRevoked });
      return { apiKeys: all.reverse().map(apiKeyMessageOf) };
    },

    async revokeApiKey(request) {
      const tenantId = requiredTenantId(request.tenantId);
      try {
        return { apiKey: apiKeyMessageOf(await keys.revoke(tenantId, request.keyId)) };
      } catch (error) {
        // Revoking a revoked key (a retried click) returns it as first revoked; an unknown key stays NOT_FOUND.
        const existing = await keys.find(tenantId, request.keyId);
        if (existing === undefined || existing.revokedAt === null) throw error;
        return { apiKey: apiKeyMessageOf(existing) };
      }
    },
  };
}
