import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ApiKeySchema } from "@scimgw/proto";
import { timestampOfIso } from "../database/timestamps.js";
import type { ApiKeyInfo } from "./api-key-store.js";

/** A key's public record as the contract's ApiKey message: never its secret or hash. */
export function apiKeyMessageOf(key: ApiKeyInfo): MessageInitShape<typeof ApiKeySchema> {
  return {
    id: key.id,
    tenantId: key.tenantId,
    label: key.label,
    createdAt: timestampOfIso(key.createdAt),
    ...(key.lastUsedAt === null ? {} : { lastUsedAt: timestampOfIso(key.lastUsedAt) }),
    ...(key.revokedAt === null ? {} : { revokedAt: timestampOfIso(key.revokedAt) }),
  };
}
