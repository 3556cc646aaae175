/**
 * The origin (scheme://host[:port]) that Location and meta.location are built on when no
 * PUBLIC_BASE_URL is set. The request's Host header (or X-Forwarded-Host behind a trusted proxy)
 * is the client's to choose, so it is used only when it names an allowed host; otherwise links
 * are relative (""), which RFC 9110 §10.2.2 allows for Location and RFC 7643 §2.3.7 for references.
 * A forged Host can thus never put another site's address into a response (or a cache).
 */
export interface AllowedHost {
  /** Lowercase hostname; IPv6 literals in brackets, as in a Host header. */
  hostname: string;
  /** A port the host must be reached on, or undefined for any. */
  port: string | undefined;
}

/** Splits `host[:port]` (an ALLOWED_HOSTS entry or a Host header); undefined if it is not one. */
export function parseHost(value: string): AllowedHost | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  const hostname = match?.[1];
  if (match === null || hostname === undefined) return undefined;
  return { hostname: hostname.toLowerCase(), port: match[2] };
}

/** The default: the gateway's own machine, as `pnpm start` and the end-to-end tests reach it. */
export const defaultAllowedHosts: readonly AllowedHost[] = [
  { hostname: "localhost", port: undefined },
  { hostname: "127.0.0.1", port: undefined },
  { hostname: "[::1]", port: undefined },
];

export function isAllowedHost(host: string, allowed: readonly AllowedHost[]): boolean {
  const parsed = parseHost(host);
  if (parsed === undefined) return false;
  return allowed.some((entry) => entry.hostname === parsed.hostname && (entry.port === undefined || entry.port === parsed.port));
}

/** The origin for this request's links: the configured one, the request's if its host is allowed, else "" (relative). */
export function publicOrigin(
  request: { protocol: string; host: string },
  options: { publicBaseUrl?: string | undefined; allowedHosts: readonly AllowedHost[] },
): string {
  if (options.publicBaseUrl !== undefined) return options.publicBaseUrl;
  return isAllowedHost(request.host, options.allowedHosts) ? `${request.protocol}://${request.host}` : "";
}
