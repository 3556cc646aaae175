import type { Context } from "koa";

/**
 * Whether a state-changing request comes from the console's own pages: its Origin (which browsers
 * send with every POST) is the console's, and Fetch Metadata, when sent, says same-origin. A
 * request with neither is refused: a browser always sends one of them, and the console has no
 * other clients.
 */
export function isSameOrigin(ctx: Context, expectedOrigin: string): boolean {
  const site = ctx.get("sec-fetch-site");
  if (site !== "" && site !== "same-origin") return false;
  const origin = ctx.get("origin");
  if (origin === "") return site === "same-origin";
  return origin === expectedOrigin;
}

/** The origin the console's pages are served from: CONSOLE_PUBLIC_URL, else the request's own (Host, and X-Forwarded-* behind TRUST_PROXY). */
export function consoleOrigin(ctx: Context, publicUrl: string | undefined): string {
  // Not ctx.origin: Koa 3 answers that from the request's Origin header, which is what is checked.
  return publicUrl ?? `${ctx.protocol}://${ctx.host}`;
}
