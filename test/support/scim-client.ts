/**
 * SCIM JSON as the tests read it: the suite's one `any`, so that checks read bodies the way the
 * RFC and the IdPs' own scripts do (`body.Resources[0].emails[0].value`); typing it precisely
 * would restate the RFC.
 */
// biome-ignore lint/suspicious/noExplicitAny: the e2e suites read SCIM JSON as the RFC and the IdPs' scripts do
export type ScimJson = any;

/** A SCIM response as the tests look at it. */
export interface ScimResponse {
  status: number;
  headers: Headers;
  body: ScimJson;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A JSON value, or a string sent as it is. */
  body?: unknown;
}

/** A tiny SCIM client over fetch, holding a base URL and a bearer key. */
export function scimClient(baseUrl: string, apiKey: string | undefined) {
  async function send(method: string, path: string, options: RequestOptions = {}): Promise<ScimResponse> {
    const headers: Record<string, string> = { Accept: "application/scim+json", ...options.headers };
    if (apiKey !== undefined && headers.Authorization === undefined) headers.Authorization = `Bearer ${apiKey}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/scim+json; charset=utf-8";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let parsed: unknown;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
  return {
    get: (path: string, options?: RequestOptions) => send("GET", path, options),
    post: (path: string, body: unknown, options?: RequestOptions) => send("POST", path, { ...options, body }),
    put: (path: string, body: unknown, options?: RequestOptions) => send("PUT", path, { ...options, body }),
    patch: (path: string, body: unknown, options?: RequestOptions) => send("PATCH", path, { ...options, body }),
    delete: (path: string, options?: RequestOptions) => send("DELETE", path, options),
    send,
  };
}

export type ScimClient = ReturnType<typeof scimClient>;

export const userSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:User";
export const listResponseUrn = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const errorUrn = "urn:ietf:params:scim:api:messages:2.0:Error";
export const patchOpUrn = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A userName no other test run will collide with. */
export function randomUserName(prefix = "user"): string {
  return `${prefix}.${Math.random().toString(36).slice(2, 10)}@example.com`;
}
