// What RFC 7644 asks of every response, as assertions the IdP suites run on each answer they get.
import assert from "node:assert/strict";
import { errorUrn, listResponseUrn, userSchemaUrn, type ScimJson, type ScimResponse } from "./scim-client.js";

export type { ScimJson } from "./scim-client.js";

export const enterpriseUserUrn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const searchRequestUrn = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/** RFC 7644 §3.1 and §8.1: SCIM bodies are `application/scim+json`. */
export function assertScimContentType(response: ScimResponse): void {
  assert.match(
    response.headers.get("content-type") ?? "",
    /^application\/scim\+json/,
    "Content-Type is application/scim+json (RFC 7644 §8.1)",
  );
}

function assertDateTime(value: unknown, name: string): void {
  assert.ok(
    typeof value === "string" && !Number.isNaN(Date.parse(value)),
    `${name} is an xsd:dateTime (RFC 7643 §2.3.5), got ${JSON.stringify(value)}`,
  );
}

/**
 * A User as RFC 7643 §3 and §4.1 describe it: its schemas, a server-assigned `id`, the `meta` the
 * server maintains (with `version` equal to the ETag header when one is sent, RFC 7644 §3.14) and
 * never a `password` (returned "never", RFC 7643 §4.1.1). Returns the body for further checks.
 */
export function assertUserBody(user: ScimJson): ScimJson {
  assert.ok(
    Array.isArray(user.schemas) && user.schemas.includes(userSchemaUrn),
    `schemas lists ${userSchemaUrn}: ${JSON.stringify(user.schemas)}`,
  );
  assert.ok(typeof user.id === "string" && user.id !== "", "id is a non-empty string (RFC 7643 §3.1)");
  assert.equal(user.meta?.resourceType, "User");
  assert.ok(
    typeof user.meta.location === "string" && user.meta.location.endsWith(`/Users/${user.id}`),
    `meta.location names the user: ${user.meta.location}`,
  );
  assertDateTime(user.meta.created, "meta.created");
  assertDateTime(user.meta.lastModified, "meta.lastModified");
  assert.equal(user.password, undefined, "password is never returned (RFC 7643 §4.1.1)");
  return user;
}

/** A response carrying one User with `status` (200 for GET, PUT, PATCH; 201 for POST). */
export function assertUserResponse(response: ScimResponse, status: number): ScimJson {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  assertScimContentType(response);
  const user = assertUserBody(response.body);
  const etag = response.headers.get("etag");
  if (etag !== null) assert.equal(user.meta.version, etag, "meta.version equals the ETag header (RFC 7644 §3.14)");
  if (status === 201) assert.equal(response.headers.get("location"), user.meta.location, "Location equals meta.location (RFC 7644 §3.3)");
  return user;
}

/**
 * A ListResponse (RFC 7644 §3.4.2): its schema, integer totalResults/itemsPerPage/startIndex, and
 * `Resources` holding exactly itemsPerPage entries. Returns the body.
 */
export function assertListResponse(response: ScimResponse): ScimJson {
  assert.equal(response.status, 200, `expected 200, got ${response.status}: ${JSON.stringify(response.body)}`);
  assertScimContentType(response);
  const body = response.body;
  assert.deepEqual(body.schemas, [listResponseUrn]);
  for (const field of ["totalResults", "itemsPerPage", "startIndex"]) {
    assert.ok(Number.isInteger(body[field]) && body[field] >= 0, `${field} is a non-negative integer, got ${JSON.stringify(body[field])}`);
  }
  assert.ok(Array.isArray(body.Resources), "Resources is an array (Entra expects [] for no match)");
  assert.equal(body.Resources.length, body.itemsPerPage, "itemsPerPage counts the Resources on this page");
  assert.ok(body.Resources.length <= body.totalResults, "a page holds no more than totalResults");
  return body;
}

/** A ListResponse of Users: every entry is a well-formed User. */
export function assertUserList(response: ScimResponse): ScimJson {
  const body = assertListResponse(response);
  for (const user of body.Resources) assertUserBody(user);
  return body;
}

/** An Error response (RFC 7644 §3.12): the Error schema, `status` as a string, a detail, and the scimType if one is expected. */
export function assertScimError(response: ScimResponse, status: number, scimType?: string): void {
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  assertScimContentType(response);
  assert.deepEqual(response.body.schemas, [errorUrn]);
  assert.equal(response.body.status, String(status), "status is the HTTP status as a JSON string (RFC 7644 §3.12)");
  assert.ok(typeof response.body.detail === "string" && response.body.detail !== "", "detail says what went wrong");
  if (scimType !== undefined) assert.equal(response.body.scimType, scimType);
}

/** `/Users?filter=…` with the filter URL-encoded, plus any further query text (`&attributes=…`). */
export function usersWhere(filter: string, more = ""): string {
  return `/Users?filter=${encodeURIComponent(filter)}${more}`;
}
