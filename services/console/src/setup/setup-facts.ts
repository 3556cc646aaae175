import { timestampDate } from "@bufbuild/protobuf/wkt";
import { IdentityProvider, type ActivityEntry } from "@scimgw/proto";
import { explainRequest, stepsCompletedBy, type ChecklistFacts, type ExplainedRequest, type PortalIdp } from "./explain-activity.js";

/** An activity entry as the checklist reads it. */
export function factsOf(entry: ActivityEntry): ChecklistFacts {
  const provider = entry.request?.identityProvider ?? IdentityProvider.UNSPECIFIED;
  return {
    status: entry.status,
    method: entry.request?.method ?? "",
    path: entry.request?.path ?? "",
    scimType: entry.scimType,
    detail: entry.detail,
    resourceType: entry.resourceType,
    identityProvider:
      provider === IdentityProvider.OKTA
        ? "okta"
        : provider === IdentityProvider.ENTRA
          ? "entra"
          : provider === IdentityProvider.OTHER
            ? "other"
            : "unknown",
  };
}

/** A request as the portal lists it (and sends it to the browser): plain values only. */
export interface PortalRequest {
  seq: string;
  time: string;
  method: string;
  path: string;
  status: number;
  detail: string;
  explained: ExplainedRequest | undefined;
}

export function portalRequestOf(entry: ActivityEntry, idp: PortalIdp): PortalRequest {
  const facts = factsOf(entry);
  const started = entry.request?.startedAt;
  return {
    seq: entry.seq.toString(),
    time: started === undefined ? "" : timestampDate(started).toISOString(),
    method: facts.method,
    path: facts.path,
    status: facts.status,
    detail: facts.detail,
    explained: explainRequest(facts, idp),
  };
}

export interface ChecklistState {
  connector: boolean;
  user: boolean;
  group: boolean;
}

/** The checklist after these entries (in any order). */
export function checklistOf(entries: ActivityEntry[], idp: PortalIdp): ChecklistState {
  const state: ChecklistState = { connector: false, user: false, group: false };
  for (const entry of entries) for (const step of stepsCompletedBy(factsOf(entry), idp)) state[step] = true;
  return state;
}
