import type { ActivityService, ListActivityRequest } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { invalidArgument, notFound } from "../errors/directory-errors.js";
import { decodePageToken, encodePageToken, queryFingerprint } from "../query/page-token.js";
import { activityEntryFromRow, activityInstant, activityRowOf, epochMsOfTimestamp } from "./activity-row.js";
import { latestFirst, type ActivityFilter, type ActivityStore } from "./activity-store.js";

/** Entries per page when the caller names no size, and the most a page holds. */
const defaultPageSize = 100;
const maxPageSize = 1000;

/** The entries a page holds for a request's page_size (0: the default). */
export function activityPageSize(requested: number): number {
  return requested === 0 ? defaultPageSize : Math.min(requested, maxPageSize);
}
/** The most entries one RecordActivity call may carry (the gateway sends a batch a second). */
export const maxRecordedPerCall = 1000;

function instantOf(timestamp: ListActivityRequest["since"]): string | undefined {
  const ms = epochMsOfTimestamp(timestamp);
  return ms === undefined ? undefined : activityInstant(ms);
}

/** The request's filters as the store reads them. */
function filterOf(request: ListActivityRequest): ActivityFilter {
  if (request.tenantId === "") throw invalidArgument("tenant_id is required");
  if (request.status !== 0 && (request.status < 100 || request.status > 599))
    throw invalidArgument("status must be an HTTP status, 100 to 599");
  const since = instantOf(request.since);
  const until = instantOf(request.until);
  return {
    tenantId: request.tenantId,
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    // StatusClass values are the classes' first digits.
    ...(request.statusClass === 0 ? {} : { statusClass: request.statusClass }),
    ...(request.status === 0 ? {} : { status: request.status }),
    ...(request.resourceId === "" ? {} : { resourceId: request.resourceId }),
    ...(request.keyId === "" ? {} : { keyId: request.keyId }),
  };
}

export function createActivityService(store: ActivityStore): ServiceImplementationOf<typeof ActivityService> {
  return {
    async listActivity(request) {
      const filter = filterOf(request);
      const limit = activityPageSize(request.pageSize);
      // Read first: entries recorded while the page is read are then after it, and a follower that
      // starts after latest_seq sees them.
      const latestSeq = await store.latestSeq(filter.tenantId);
      if (latestSeq === undefined) throw notFound(`tenant "${filter.tenantId}"`);
      if (request.afterSeq !== undefined) {
        if (request.afterSeq < 0n) throw invalidArgument("after_seq must not be negative");
        const rows = await store.listRecordedAfter(filter, request.afterSeq, limit, latestSeq);
        return { entries: rows.map(activityEntryFromRow), latestSeq };
      }
      const fingerprint = queryFingerprint({ resource: "Activity", tenantId: filter.tenantId, filter, keyset: latestFirst });
      const after = request.pageToken === "" ? undefined : decodePageToken(request.pageToken, fingerprint, latestFirst);
      const page = await store.listLatestFirst(filter, limit, after);
      return {
        entries: page.rows.map(activityEntryFromRow),
        nextPageToken: page.next === undefined ? "" : encodePageToken(fingerprint, page.next),
        latestSeq,
      };
    },

    async recordActivity(request) {
      if (request.entries.length > maxRecordedPerCall)
        throw invalidArgument(`at most ${maxRecordedPerCall} entries per call; send the rest in another`);
      const rows = request.entries.map((entry, index) => {
        if (entry.tenantId === "") throw invalidArgument(`entries[${index}].tenant_id is required`);
        if (entry.request === undefined) throw invalidArgument(`entries[${index}].request is required`);
        if (entry.status < 100 || entry.status > 599) throw invalidArgument(`entries[${index}].status must be an HTTP status, 100 to 599`);
        return activityRowOf(entry.tenantId, entry.request, entry);
      });
      return { recorded: await store.append(rows) };
    },
  };
}
