/** The endpoint of each resource type under the SCIM root (RFC 7644 §3.2). */
const endpoints: Record<string, string> = { User: "Users", Group: "Groups" };

/**
 * The absolute URI of a resource, for `meta.location`, `Location` and `$ref` (RFC 7643 §3.1,
 * §4.2). A member or membership of an unknown type is taken for a User, the only other kind of
 * resource a group can hold.
 */
export function resourceUrl(scimBaseUrl: string, resourceType: string, id: string): string {
  return `${scimBaseUrl}/${endpoints[resourceType] ?? "Users"}/${id}`;
}
