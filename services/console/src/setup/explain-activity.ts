/**
 * What the setup portal tells an IT admin about a request their identity provider sent: whether it
 * is a failure, what caused it and what to change. The words are the README's setup guides' (its
 * 401 table, *Troubleshooting*), so the portal and the guide never disagree.
 */
export type PortalIdp = "okta" | "entra";

export interface ExplainedRequest {
  /** "expected": a refusal the identity provider asks for on purpose (Entra's Test Connection fetches a random id). */
  kind: "failure" | "expected";
  title: string;
  cause: string;
  fix: string;
}

export interface RequestFacts {
  status: number;
  method: string;
  path: string;
  scimType: string;
  detail: string;
}

const isUsers = (path: string) => /\/Users(\/|$|\?)/.test(path);
const isGroups = (path: string) => /\/Groups(\/|$|\?)/.test(path);

/** Undefined for a success; otherwise what the portal shows under the request. */
export function explainRequest(request: RequestFacts, idp: PortalIdp): ExplainedRequest | undefined {
  const { status, method, path, scimType, detail } = request;
  if (status < 400) return undefined;
  if (status === 401) {
    if (detail.startsWith("Authentication required"))
      return {
        kind: "failure",
        title: "401: no API key was sent",
        cause: "no `Authorization` header, or one without the `Bearer` prefix holding no key we issued",
        fix: "send `Bearer <key>` with a key of this install",
      };
    if (detail.includes("without its scheme"))
      return {
        kind: "failure",
        title: "401: the key was sent without `Bearer`",
        cause: "our key, sent without the `Bearer` prefix: a field that sends its value as typed was given the bare key",
        fix: "pick the bearer-token field or template, or type `Bearer ` before the key",
      };
    if (detail.includes("suspended"))
      return {
        kind: "failure",
        title: "401: this tenant is suspended",
        cause: "an operator suspended the tenant (nothing was deleted)",
        fix: "ask the operator who sent you this link to resume it",
      };
    return {
      kind: "failure",
      title: "401: the API key is not valid",
      cause: "a mistyped, revoked or another install's key",
      fix: "issue a new key on this page and paste it",
    };
  }
  if (status === 404 && method === "GET" && idp === "entra")
    return {
      kind: "expected",
      title: "404: expected during Test Connection",
      cause:
        "Entra looks up a user that does not exist, by its matching attribute and a random GUID, and fetches a random id, which is `404`",
      fix: "nothing",
    };
  if (status === 404)
    return {
      kind: "failure",
      title: "404: no such user or group here",
      cause: "the identity provider names a user or group this tenant does not have (deleted here, or pushed to another tenant)",
      fix:
        idp === "okta"
          ? "unassign the person and assign them again: Okta looks them up and creates them again"
          : "**Restart provisioning**: Entra matches every user again by its matching attributes",
    };
  if (status === 409 && isGroups(path))
    return {
      kind: "failure",
      title: "409: a group with this name already exists",
      cause: "a second group of the same name, in any letter case, is refused with `409 uniqueness`",
      fix: "If a group of that name already exists here (e.g. found by an import), link to it instead of creating it",
    };
  if (status === 409)
    return {
      kind: "failure",
      title: "409: a user with this userName already exists",
      cause: "A create (or a rename by `PUT`) named a userName another user of the tenant has, in any letter case",
      fix:
        idp === "okta"
          ? "give the Okta user another userName, or deactivate and rename the holder from the app that owns it"
          : "Add `userName` as a matching attribute so Entra takes the existing user over, or change the userName in Entra",
    };
  if (status === 400)
    return {
      kind: "failure",
      title: `400: ${scimType === "" ? "the request was refused" : `${scimType}`}`,
      cause: "the detail names the attribute",
      fix:
        idp === "okta"
          ? "Fix the mapping (step 5), then retry the failed provisioning tasks in Okta."
          : "remove or remap it, then provision the user on demand to check.",
    };
  if (status === 412)
    return {
      kind: "failure",
      title: "412: the resource changed since it was read",
      cause: "another write changed it first (`If-Match` named an older version)",
      fix: "nothing: the identity provider reads it again and retries",
    };
  if (status === 413)
    return {
      kind: "failure",
      title: "413: the request is too large",
      cause: "a body over `MAX_BODY_SIZE`",
      fix: "ask the operator to raise `MAX_BODY_SIZE`",
    };
  if (status === 429)
    return {
      kind: "failure",
      title: "429: too many requests",
      cause:
        idp === "entra"
          ? "Entra sends about 25 requests a second per app, half the default per-key limit; a 429 usually means several apps share the tenant's allowance"
          : "the key's or the tenant's rate limit: several apps may share the tenant's allowance",
      fix: idp === "entra" ? "nothing: Entra backs off and retries" : "nothing: Okta backs off and retries",
    };
  if (status >= 500)
    return {
      kind: "failure",
      title: `${status}: the service failed`,
      cause: "a failure on our side, not in your settings",
      fix: "nothing at first: the identity provider retries; if it goes on, send the operator the request id",
    };
  return { kind: "failure", title: `${status}: refused`, cause: "see the detail", fix: "see the detail" };
}

/** Which checklist step a successful request completes, if any. */
export type ChecklistStep = "connector" | "user" | "group";

export interface ChecklistFacts extends RequestFacts {
  /** The identity provider the gateway recognised from the User-Agent. */
  identityProvider: PortalIdp | "other" | "unknown";
  resourceType: string;
}

/** The steps one request completes: any request from the chosen IdP is its connector test; a 201 POST creates the first user or group. */
export function stepsCompletedBy(request: ChecklistFacts, idp: PortalIdp): ChecklistStep[] {
  const steps: ChecklistStep[] = [];
  if (request.identityProvider === idp) steps.push("connector");
  if (request.method === "POST" && request.status === 201) {
    if (request.resourceType === "User" || isUsers(request.path)) steps.push("user");
    if (request.resourceType === "Group" || isGroups(request.path)) steps.push("group");
  }
  return steps;
}
