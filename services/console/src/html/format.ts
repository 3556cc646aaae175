import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { IdentityProvider } from "@scimgw/proto";
import { html, type Html } from "./html.js";

/** A time as UTC to the second, in a <time> element; "never" when unset. */
export function timeOf(timestamp: Timestamp | undefined, never = "never"): Html {
  if (timestamp === undefined) return html`<span class="muted">${never}</span>`;
  const iso = timestampDate(timestamp).toISOString();
  return html`<time datetime="${iso}">${iso.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time>`;
}

/** The identity provider as people name it. */
export function identityProviderName(provider: IdentityProvider): string {
  switch (provider) {
    case IdentityProvider.OKTA:
      return "Okta";
    case IdentityProvider.ENTRA:
      return "Microsoft Entra ID";
    case IdentityProvider.OTHER:
      return "other client";
    default:
      return "unknown";
  }
}

/** A status as a badge whose class says its kind (2xx ok, 4xx/5xx failure). */
export function statusBadge(status: number): Html {
  const kind = status >= 500 ? "bad" : status >= 400 ? "warn" : "ok";
  return html`<span class="badge ${kind}">${status}</span>`;
}
