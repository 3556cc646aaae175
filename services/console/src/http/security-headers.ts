import type { Context, Next } from "koa";

/**
 * No inline script or style, nothing from another origin: the pages load only the console's own
 * /assets/, so a value that escaped escaping still could not run.
 */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Set on every response, errors included (this middleware runs first). `no-referrer` because a
 * setup link's token is in its URL; `no-store` unless a route says otherwise (the assets), since
 * pages show secrets once and tenants' data.
 */
export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set("Content-Security-Policy", contentSecurityPolicy);
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "no-referrer");
  ctx.set("X-Frame-Options", "DENY");
  ctx.set("Cross-Origin-Opener-Policy", "same-origin");
  ctx.set("Cache-Control", "no-store");
  await next();
}
