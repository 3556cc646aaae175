import { ErrorReason, type ApiKeyService } from "@scimgw/proto";
import { Code, RpcError, type ServiceImplementationOf } from "@scimgw/grpc";
import type { ApiKeyStore } from "./api-key-store.js";

export function createApiKeyService(keys: ApiKeyStore): ServiceImplementationOf<typeof ApiKeyService> {
  return {
    async verifyApiKey(request) {
      if (!/^[0-9a-f]{64}$/.test(request.keySha256)) {
        throw new RpcError(Code.INVALID_ARGUMENT, "key_sha256 must be 64 lowercase hex digits", { reason: ErrorReason.INVALID_ARGUMENT });
      }
      const key = await keys.verify(request.keySha256);
      if (key === undefined)
        throw new RpcError(Code.UNAUTHENTICATED, "unknown or revoked API key", { reason: ErrorReason.UNKNOWN_API_KEY });
      return {
        tenantId: key.tenantId,
        keyId: key.id,
        keyLabel: key.label,
        ...(key.tenantRateLimit === null ? {} : { tenantRateLimit: key.tenantRateLimit }),
      };
    },
  };
}
