import type { Context } from "koa";
import { listResponse, type ListQuery, type ProjectionOptions } from "@scimgw/scim";
import { scimContentType } from "../errors/render-error.js";
import { containsStreamedArray, jsonBody, type StreamedArray } from "../http/stream-json.js";

/** One page of a list or search of one resource type, rendered and projected. */
export interface ResourcePage {
  /** How many resources match in all. */
  totalResults: number;
  /** How many resources this page holds. */
  itemsPerPage: number;
  /** The resources in order; a StreamedArray when they are written while they are read. */
  resources: readonly unknown[] | StreamedArray;
}

/** The attributes/excludedAttributes of a request (RFC 7644 §3.4.2.5), applied to every resource returned. */
export function projectionOf(query: Pick<ListQuery, "attributes" | "excludedAttributes">): ProjectionOptions {
  return {
    ...(query.attributes ? { attributes: query.attributes } : {}),
    ...(query.excludedAttributes ? { excludedAttributes: query.excludedAttributes } : {}),
  };
}

/** A ListResponse (RFC 7644 §3.4.2) around a page whose resources may stream. */
export function listResponseOf(page: ResourcePage, startIndex: number): Record<string, unknown> {
  return {
    ...listResponse([], { totalResults: page.totalResults, startIndex }),
    itemsPerPage: page.itemsPerPage,
    Resources: page.resources,
  };
}

/**
 * Sends a SCIM JSON body: as one string when it is plain, or written as it is read when it holds a
 * StreamedArray (a group's members), so a huge group is never one object in the gateway's memory.
 */
export function sendScimJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.type = scimContentType;
  ctx.body = containsStreamedArray(body) ? jsonBody(body) : body;
}
