import type { JsonObject } from "../resource/json-value.js";
import { urn } from "../schema/urns.js";
import { discoveryMeta } from "./discovery-meta.js";

/** One entry of ServiceProviderConfig's authenticationSchemes (RFC 7643 §5). */
export interface AuthenticationScheme {
  readonly type: "oauth" | "oauth2" | "oauthbearertoken" | "httpbasic" | "httpdigest";
  readonly name: string;
  readonly description: string;
  readonly specUri?: string;
  readonly documentationUri?: string;
  readonly primary?: boolean;
}

/**
 * What the server really implements. The gateway fills this in from its own code and configuration;
 * serviceProviderConfig only renders it, so the document cannot claim more than the server does.
 */
export interface ServiceProviderFeatures {
  readonly patch: boolean;
  /** false, or the limits the server enforces on a bulk request. */
  readonly bulk: false | { readonly maxOperations: number; readonly maxPayloadSize: number };
  /** maxResults is the most resources one response holds, filtered or not (RFC 7644 §3.4.2.4). */
  readonly filter: { readonly supported: boolean; readonly maxResults: number };
  readonly changePassword: boolean;
  readonly sort: boolean;
  readonly etag: boolean;
  /** Defaults to the gateway's one scheme, bearerTokenAuthentication. */
  readonly authenticationSchemes?: readonly AuthenticationScheme[];
  readonly documentationUri?: string;
}

/** The gateway authenticates with an API key sent as an OAuth 2.0 bearer token (RFC 6750). */
export const bearerTokenAuthentication: AuthenticationScheme = {
  type: "oauthbearertoken",
  name: "OAuth Bearer Token",
  description: "Authentication with a bearer API key issued by the administrator",
  specUri: "https://www.rfc-editor.org/info/rfc6750",
  primary: true,
};

/** The /ServiceProviderConfig document (RFC 7643 §5; RFC 7644 §4). */
export function serviceProviderConfig(features: ServiceProviderFeatures, options: { location?: string | undefined } = {}): JsonObject {
  const document: JsonObject = { schemas: [urn.serviceProviderConfig] };
  if (features.documentationUri !== undefined) document["documentationUri"] = features.documentationUri;
  document["patch"] = { supported: features.patch };
  // §5 makes maxOperations and maxPayloadSize REQUIRED even when bulk is unsupported: 0 says "none".
  document["bulk"] =
    features.bulk === false
      ? { supported: false, maxOperations: 0, maxPayloadSize: 0 }
      : { supported: true, maxOperations: features.bulk.maxOperations, maxPayloadSize: features.bulk.maxPayloadSize };
  document["filter"] = { supported: features.filter.supported, maxResults: features.filter.maxResults };
  document["changePassword"] = { supported: features.changePassword };
  document["sort"] = { supported: features.sort };
  document["etag"] = { supported: features.etag };
  document["authenticationSchemes"] = (features.authenticationSchemes ?? [bearerTokenAuthentication]).map(authenticationSchemeDocument);
  // §5: unlike other resources, ServiceProviderConfig has no id.
  document["meta"] = discoveryMeta("ServiceProviderConfig", options.location);
  return document;
}

function authenticationSchemeDocument(scheme: AuthenticationScheme): JsonObject {
  const document: JsonObject = { type: scheme.type, name: scheme.name, description: scheme.description };
  if (scheme.specUri !== undefined) document["specUri"] = scheme.specUri;
  if (scheme.documentationUri !== undefined) document["documentationUri"] = scheme.documentationUri;
  if (scheme.primary !== undefined) document["primary"] = scheme.primary;
  return document;
}
