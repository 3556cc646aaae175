// What RFC 7643 §4.2 and RFC 7644 ask of every Group response, and small helpers the group suites
// share: reading a group's members and a user's groups.
import assert from "node:assert/strict";
import { assertListResponse, assertScimContentType, type ScimJson } from "./scim-checks.js";
import type { ScimClient, ScimResponse } from "./scim-client.js";

export const groupSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
/** The marker Entra lists in `schemas` on every group it creates (MS-USE "Create Group"). */
export const entraGroupSchemaMarker = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

/**
 * A Group as RFC 7643 §4.2 and §3.1 describe it: its schema, a server-assigned `id`, `displayName`,
 * the server's `meta`, and members (if any) that each name their resource by `value`, `$ref` and
 * `type`. Returns the body.
 */
export function assertGroupBody(group: ScimJson): ScimJson {
  assert.ok(
    Array.isArray(group.schemas) && group.schemas.includes(groupSchemaUrn),
    `schemas lists ${groupSchemaUrn}: ${JSON.stringify(group.schemas)}`,
  );
  assert.ok(typeof group.id === "string" && group.id !== "", "id is a non-empty string (RFC 7643 §3.1)");
  assert.equal(group.meta?.resourceType, "Group");
  assert.ok(
    typeof group.meta.location === "string" && group.meta.location.endsWith(`/Groups/${group.id}`),
    `meta.location names the group: ${group.meta.location}`,
  );
  for (const name of ["created", "lastModified"]) assert.ok(!Number.isNaN(Date.parse(group.meta[name])), `meta.${name} is an xsd:dateTime`);
  if (group.members !== undefined) {
    assert.ok(Array.isArray(group.members), "members is an array");
    for (const member of group.members) {
      assert.ok(typeof member.value === "string" && member.value !== "", `a member has a value: ${JSON.stringify(member)}`);
      assert.ok(member.type === "User" || member.type === "Group", `a member's type is User or Group: ${JSON.stringify(member)}`);
      assert.ok(
        typeof member.$ref === "string" && member.$ref.endsWith(`/${member.type}s/${member.value}`),
        `a member's $ref is the URI of its resource (RFC 7643 §4.2): ${JSON.stringify(member)}`,
      );
    }
  }
  return group;
}

/** A response carrying one Group with `status`; its ETag is meta.version and a 201's Location is meta.location. */
export function assertGroupResponse(response: ScimResponse, status: number): ScimJson {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  assertScimContentType(response);
  const group = assertGroupBody(response.body);
  assert.equal(response.headers.get("etag"), group.meta.version, "the ETag is meta.version (RFC 7644 §3.14)");
  if (status === 201) assert.equal(response.headers.get("location"), group.meta.location, "Location equals meta.location (RFC 7644 §3.3)");
  return group;
}

/** A ListResponse of Groups: every entry is a well-formed Group. */
export function assertGroupList(response: ScimResponse): ScimJson {
  const body = assertListResponse(response);
  for (const group of body.Resources) assertGroupBody(group);
  return body;
}

/** A 204 to a PATCH (what Entra and Microsoft's collection expect), with the group's new ETag. */
export function assertPatched(response: ScimResponse): string {
  assert.equal(response.status, 204, `expected 204, got ${response.status}: ${JSON.stringify(response.body)}`);
  assert.equal(response.body, undefined, "204 has no body");
  const etag = response.headers.get("etag");
  assert.match(etag ?? "", /^W\/"\d+"$/, "the new version is in the ETag header");
  return etag!;
}

/** `/Groups?filter=…` with the filter URL-encoded, plus any further query text. */
export function groupsWhere(filter: string, more = ""): string {
  return `/Groups?filter=${encodeURIComponent(filter)}${more}`;
}

/** The ids of a group's members, sorted, read with GET /Groups/{id}. */
export async function memberIds(client: ScimClient, groupId: string): Promise<string[]> {
  const group = assertGroupResponse(await client.get(`/Groups/${groupId}`), 200);
  return (group.members ?? []).map((member: ScimJson) => member.value).sort();
}

/** A user's groups as `[groupId, type]` pairs, sorted, read with GET /Users/{id}. */
export async function groupsOfUser(client: ScimClient, userId: string): Promise<Array<[string, string]>> {
  const response = await client.get(`/Users/${userId}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const groups: ScimJson[] = response.body.groups ?? [];
  for (const group of groups) {
    assert.ok(
      typeof group.$ref === "string" && group.$ref.endsWith(`/Groups/${group.value}`),
      `a user's group has a $ref: ${JSON.stringify(group)}`,
    );
    assert.equal(typeof group.display, "string", "a user's group has its display name");
  }
  return groups.map((group): [string, string] => [group.value, group.type]).sort((a, b) => a[0].localeCompare(b[0]));
}
