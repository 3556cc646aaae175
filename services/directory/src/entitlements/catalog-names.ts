import { ScimError, maxCatalogDescriptionLength } from "@scimgw/scim";

/**
 * The rules for what a publisher names in a tenant's catalog. A type's name becomes a SCIM
 * ResourceType id and name and the `type` of users' values; its endpoint becomes a path under the
 * SCIM base URL, so it must not shadow a path the gateway already serves (RFC 7644 §3.2 and §4).
 */

const typeNamePattern = /^[A-Za-z][A-Za-z0-9 _.-]{0,63}$/;
const endpointPattern = /^\/[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;
/** C0 controls and DEL: they would corrupt a CLI table or a log line, and no IdP shows them. */
const hasControlCharacter = (text: string) =>
  [...text].some((character) => (character.codePointAt(0) ?? 0) < 0x20 || character === "\u007f");

/** The paths of RFC 7644 §3.2 and §4 that the gateway serves or reserves, folded. */
const reservedEndpoints = new Set([
  "/users",
  "/groups",
  "/schemas",
  "/resourcetypes",
  "/serviceproviderconfig",
  "/bulk",
  "/me",
  "/.search",
]);

/** Names identity providers compare case-insensitively are keyed folded; ASCII only, so lower-casing is exact. */
export function catalogKey(name: string): string {
  return name.toLowerCase();
}

function refuse(detail: string): never {
  throw ScimError.of("invalidValue", detail);
}

export function checkTypeName(name: string): string {
  if (!typeNamePattern.test(name) || name.endsWith(" "))
    refuse(
      `catalog type name ${JSON.stringify(name)} is not valid: 1 to 64 letters, digits, spaces, '_', '-' or '.', starting with a letter`,
    );
  if (catalogKey(name) === "user" || catalogKey(name) === "group")
    refuse(`catalog type name ${JSON.stringify(name)} is taken by the core resource type of that name`);
  return name;
}

export function checkEndpoint(endpoint: string): string {
  if (!endpointPattern.test(endpoint))
    refuse(
      `endpoint ${JSON.stringify(endpoint)} is not valid: one path segment such as "/Licenses" (a '/', then up to 64 letters, digits, '-', '_', '.' or '~')`,
    );
  if (reservedEndpoints.has(catalogKey(endpoint)))
    refuse(`endpoint ${JSON.stringify(endpoint)} is a path the SCIM service already serves (RFC 7644 §3.2, §4); choose another`);
  return endpoint;
}

export function checkDescription(description: string): string {
  if ([...description].length > maxCatalogDescriptionLength)
    refuse(`description has ${[...description].length} characters; Okta shows at most ${maxCatalogDescriptionLength}`);
  return description;
}

export function checkEntryId(id: string): string {
  if (id === "" || [...id].length > 255 || hasControlCharacter(id))
    refuse(`entry id ${JSON.stringify(id.slice(0, 300))} is not valid: 1 to 255 characters, no control characters`);
  return id;
}

export function checkDisplayName(displayName: string): string {
  if (displayName.trim() === "" || [...displayName].length > 255 || hasControlCharacter(displayName))
    refuse("display_name is required: 1 to 255 characters, no control characters");
  return displayName;
}
