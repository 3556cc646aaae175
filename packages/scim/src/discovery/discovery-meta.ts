import type { JsonObject } from "../resource/json-value.js";

/**
 * `meta` of a discovery document (RFC 7643 §3.1, as in §8.5-§8.7): its resource type, and its
 * location when the caller knows the base URL. No created/lastModified/version: these documents
 * change only with a deployment.
 */
export function discoveryMeta(resourceType: "ServiceProviderConfig" | "ResourceType" | "Schema", location: string | undefined): JsonObject {
  return location === undefined ? { resourceType } : { resourceType, location };
}
