import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TenantHealthSchema, TenantSchema } from "@scimgw/proto";
import { identityProviderOfStored, timestampOfInstant } from "../activity/activity-row.js";
import { timestampOfIso } from "../database/timestamps.js";
import type { Tenant } from "../tenants/tenant-store.js";
import type { TenantHealthRow } from "./tenant-health.js";

/** A tenant as the contract's Tenant message. */
export function tenantMessageOf(tenant: Tenant): MessageInitShape<typeof TenantSchema> {
  return {
    id: tenant.id,
    name: tenant.name,
    createdAt: timestampOfIso(tenant.createdAt),
    ...(tenant.suspendedAt === null ? {} : { suspendedAt: timestampOfIso(tenant.suspendedAt) }),
    ...(tenant.rateLimit === null ? {} : { rateLimit: { perSecond: tenant.rateLimit.perSecond, burst: tenant.rateLimit.burst } }),
  };
}

/** A tenant's health as the contract's TenantHealth message; a tenant without a row (just created) has none of anything. */
export function tenantHealthMessageOf(health: TenantHealthRow | undefined): MessageInitShape<typeof TenantHealthSchema> {
  if (health === undefined) return {};
  return {
    ...(health.lastRequestAt === null ? {} : { lastRequestAt: timestampOfInstant(health.lastRequestAt) }),
    lastIdentityProvider: identityProviderOfStored(health.lastIdentityProvider),
    requests24h: health.requests24h,
    failures24h: health.failures24h,
    userCount: BigInt(health.userCount),
    groupCount: BigInt(health.groupCount),
    liveApiKeyCount: health.liveApiKeyCount,
    lastChangeSeq: BigInt(health.lastChangeSeq),
  };
}
