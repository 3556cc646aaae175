import type { JsonObject } from "./json-value.js";
import { oktaCatalogUrn, type CatalogType } from "../schema/okta-catalog-schemas.js";

/** One catalog entry as the directory keeps it. */
export interface CatalogEntry {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly meta?: {
    readonly created: string;
    readonly lastModified: string;
    readonly version: bigint | number;
    readonly location?: string;
  };
}

/**
 * A catalog entry as its endpoint serves it, in Okta's shape ("Build a SCIM 2.0 server with
 * entitlements"): schemas, id, displayName, type (entitlements only: the resource type's name),
 * description when there is one, and meta (RFC 7643 §3.1; Okta's examples omit it, harmless).
 */
export function catalogEntryResource(catalogType: CatalogType, entry: CatalogEntry): JsonObject {
  const resource: JsonObject = {
    schemas: [catalogType.kind === "entitlement" ? oktaCatalogUrn.entitlement : oktaCatalogUrn.role],
    id: entry.id,
    displayName: entry.displayName,
  };
  if (catalogType.kind === "entitlement") resource["type"] = catalogType.name;
  if (entry.description !== "") resource["description"] = entry.description;
  if (entry.meta !== undefined) {
    resource["meta"] = {
      resourceType: catalogType.name,
      created: entry.meta.created,
      lastModified: entry.meta.lastModified,
      version: `W/"${entry.meta.version}"`,
      ...(entry.meta.location === undefined ? {} : { location: entry.meta.location }),
    };
  }
  return resource;
}
