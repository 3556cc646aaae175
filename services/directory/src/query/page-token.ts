import { createHash } from "node:crypto";
import { invalidArgument } from "../errors/directory-errors.js";
import type { KeysetColumn, KeysetPosition } from "./keyset.js";

/**
 * Cursor page tokens: base64url of JSON {v, q, k}. `v` is the format's version, so a later
 * format can be told apart; `q` fingerprints the query (see queryFingerprint) so a token is only
 * ever resumed in the listing that issued it; `k` is the last row's keyset position (sort key,
 * tie-breakers, id). The token is opaque to callers but not secret or signed: it holds values the
 * caller was just sent, and a forged one can only start a listing the caller could filter for.
 */
const version = 1;

/**
 * Longer than any token this service issues in practice (a position is a few keys; PostgreSQL's
 * indexes cap a key near 2.7 KB), yet bounded so a forged token cannot make the service parse
 * megabytes. SQLite does not cap a userName or externalId: a single value longer than this would
 * make a walk sorted by it fail with INVALID_ARGUMENT rather than misbehave.
 */
const longestToken = 1 << 20;

/**
 * What a token binds to: the tenant, the resolved filter and the keyset (sort column and
 * direction). Built from the resolved forms, so spellings that mean the same query ("userName"
 * and "username", SORT_ORDER_UNSPECIFIED and ASCENDING) share tokens.
 */
export function queryFingerprint(query: { resource: string; tenantId: string; filter: unknown; keyset: readonly KeysetColumn[] }): string {
  const canonical = JSON.stringify([
    query.resource,
    query.tenantId,
    query.filter ?? null,
    query.keyset.map(({ column, descending }) => [column, descending]),
  ]);
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 22);
}

export function encodePageToken(fingerprint: string, position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ v: version, q: fingerprint, k: position })).toString("base64url");
}

function malformed(): Error {
  return invalidArgument(
    "page_token is not a token this service issued: pass next_page_token exactly as received, or an empty page_token for the first page",
  );
}

/** The position a token resumes after, if it was issued for this very query; INVALID_ARGUMENT otherwise. */
export function decodePageToken(token: string, fingerprint: string, keyset: readonly KeysetColumn[]): KeysetPosition {
  if (token.length > longestToken || !/^[A-Za-z0-9_-]+$/.test(token)) throw malformed();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw malformed();
  }
  if (typeof body !== "object" || body === null) throw malformed();
  const { v, q, k } = body as { v?: unknown; q?: unknown; k?: unknown };
  if (typeof v !== "number" || typeof q !== "string") throw malformed();
  if (v !== version)
    throw invalidArgument(`page_token has format version ${v}; this service reads version ${version}: start the listing again`);
  if (q !== fingerprint) {
    throw invalidArgument(
      "page_token belongs to a different listing: pass the same tenant_id, filter, sort_by and sort_order as the request that returned it",
    );
  }
  const fits =
    Array.isArray(k) &&
    k.length === keyset.length &&
    k.every((value, index) => typeof value === "string" || (value === null && keyset[index]?.nullable === true));
  if (!fits) throw malformed();
  return k as KeysetPosition;
}
