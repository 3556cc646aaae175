import { ScimError } from "@scimgw/scim";

export interface Paging {
  startIndex: number;
  count: number;
}

function integerParameter(name: string, raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) {
    throw ScimError.of("invalidValue", `${name} must be an integer, not ${JSON.stringify(text)}`);
  }
  return Number.parseInt(text, 10);
}

/**
 * startIndex and count as RFC 7644 §3.4.2.4 reads them: a startIndex below 1 means 1, a
 * negative count means 0 (only totalResults), and count is capped at the server's maximum
 * (which ServiceProviderConfig advertises as filter.maxResults).
 */
export function parsePaging(query: Record<string, string | string[] | undefined>, limits: { defaultCount: number; maxCount: number }): Paging {
  const startIndex = integerParameter("startIndex", query.startIndex);
  const count = integerParameter("count", query.count);
  return {
    startIndex: Math.max(1, startIndex ?? 1),
    count: Math.min(Math.max(0, count ?? limits.defaultCount), limits.maxCount),
  };
}
