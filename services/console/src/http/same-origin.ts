import type { Context } from "koa";

/**
 * Whether a state-changing request comes from the console's own pages. Fetch Metadata, which
 * current browsers send, must say same-origin; an Origin header, when it names one, must be the
 * console's. Under `Referrer-Policy: no-referrer` (the console's, since setup tokens are in URLs)
 * browsers send `Origin: null` with a form's POST, so "null" is no origin, and such a request
 * stands on Sec-Fetch-Site alone. A request with neither is refused: every browser sends one,
 * and the console has no other clients.
 */
export function isSameOrigin(ctx: Context, expectedOrigin: string): boolean {
  const site = ctx.get("sec-fetch-site");
  const origin = ctx.get("origin");
  if (site !== "" && site !== "same-origin") return false;
  if (origin !== "" && origin !== "null") return origin === expectedOrigin;
  return site === "same-origin";
}

/** The origin the console's pages are served from: CONSOLE_PUBLIC_URL, else the request's own (Host, and X-Forwarded-* behind TRUST_PROXY). */
export function consoleOrigin(ctx: Context, publicUrl: string | undefined): string {
  // Not ctx.origin: Koa 3 answers that from the request's Origin header, which is what is checked.
  return publicUrl ?? `${ctx.protocol}://${ctx.host}`;
}
