import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { IdentityProvider, type SetupLinkSchema, type SetupLinkService } from "@scimgw/proto";
import { activityEntryFromRow, activityInstant } from "../activity/activity-row.js";
import { activityPageSize } from "../activity/activity-service.js";
import type { ActivityStore } from "../activity/activity-store.js";
import { apiKeyMessageOf } from "../api-keys/api-key-message.js";
import type { ApiKeyStore } from "../api-keys/api-key-store.js";
import { timestampOfIso } from "../database/timestamps.js";
import { invalidArgument, invalidValue, notFound } from "../errors/directory-errors.js";
import type { SetupLink, SetupLinkStore } from "./setup-link-store.js";

function setupLinkMessageOf(link: SetupLink): MessageInitShape<typeof SetupLinkSchema> {
  return {
    id: link.id,
    tenantId: link.tenantId,
    createdBy: link.createdBy,
    createdAt: timestampOfIso(link.createdAt),
    expiresAt: timestampOfIso(link.expiresAt),
    ...(link.revokedAt === null ? {} : { revokedAt: timestampOfIso(link.revokedAt) }),
  };
}

function requiredTenantId(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

/** The identity providers a portal walks an IT admin through, as their keys' labels name them. */
const portalProviders = new Map([
  [IdentityProvider.OKTA, "okta"],
  [IdentityProvider.ENTRA, "entra"],
]);

/**
 * SetupLinkService. The token-scoped RPCs (open, issue a key, list activity) name no tenant: each
 * resolves its token first (setup-link-store.ts `open`, which refuses an unknown, revoked or
 * expired link) and acts on that link's tenant only.
 */
export function createSetupLinkService(deps: {
  links: SetupLinkStore;
  keys: ApiKeyStore;
  activity: ActivityStore;
}): ServiceImplementationOf<typeof SetupLinkService> {
  const { links, keys, activity } = deps;
  return {
    async createSetupLink(request) {
      const { token, link } = await links.create(requiredTenantId(request.tenantId), request.ttlSeconds * 1000, request.createdBy);
      return { token, setupLink: setupLinkMessageOf(link) };
    },

    async listSetupLinks(request) {
      return { setupLinks: (await links.list(requiredTenantId(request.tenantId))).map(setupLinkMessageOf) };
    },

    async revokeSetupLink(request) {
      return { setupLink: setupLinkMessageOf(await links.revoke(requiredTenantId(request.tenantId), request.setupLinkId)) };
    },

    async openSetupLink(request) {
      const { link, tenantName } = await links.open(request.token);
      return { setupLink: setupLinkMessageOf(link), tenantName };
    },

    async issueSetupApiKey(request) {
      const { link } = await links.open(request.token);
      const provider = portalProviders.get(request.identityProvider);
      if (provider === undefined) throw invalidValue("identity_provider must be OKTA or ENTRA");
      const { key, info } = await keys.issue(link.tenantId, `${provider} (setup link ${link.id})`);
      return { key, apiKey: apiKeyMessageOf(info) };
    },

    async listSetupActivity(request) {
      const { link } = await links.open(request.token);
      // The link's tenant, from the link's creation on: requests started before it are not the portal's.
      const filter = { tenantId: link.tenantId, since: activityInstant(Date.parse(link.createdAt)) };
      const limit = activityPageSize(request.pageSize);
      // As ListActivity: read the latest number first, so a follower that starts after it misses nothing.
      const latestSeq = await activity.latestSeq(link.tenantId);
      if (latestSeq === undefined) throw notFound(`tenant "${link.tenantId}"`);
      if (request.afterSeq !== undefined) {
        if (request.afterSeq < 0n) throw invalidArgument("after_seq must not be negative");
        const rows = await activity.listRecordedAfter(filter, request.afterSeq, limit, latestSeq);
        return { entries: rows.map(activityEntryFromRow), latestSeq };
      }
      const page = await activity.listLatestFirst(filter, limit);
      return { entries: page.rows.map(activityEntryFromRow), latestSeq };
    },
  };
}
