import type { Context } from "koa";

/** The cookie's name: `__Host-` makes the browser insist on Secure, Path=/ and no Domain. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-scimgw_session" : "scimgw_session";
}

/**
 * Whether the console is reached over HTTPS: its public URL says so, or the request came over TLS
 * (behind TRUST_PROXY, as the proxy's X-Forwarded-Proto says; Koa's `app.proxy`).
 */
export function isSecure(ctx: Context, publicUrl: string | undefined): boolean {
  return publicUrl?.startsWith("https:") === true || ctx.secure;
}

/** The value of a cookie of the request, or undefined. Written here because Koa's refuses Secure cookies on plain HTTP behind a proxy. */
export function readCookie(ctx: Context, name: string): string | undefined {
  const header = ctx.get("cookie");
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return /^[A-Za-z0-9._~+/=-]+$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site request
 * carries it), Path=/; Secure behind HTTPS. No Max-Age: the directory ends the session, and
 * closing the browser forgets it.
 */
export function setSessionCookie(ctx: Context, secure: boolean, token: string | undefined): void {
  const attributes = ["HttpOnly", "SameSite=Strict", "Path=/", ...(secure ? ["Secure"] : [])];
  const value = token === undefined ? `${sessionCookieName(secure)}=; Max-Age=0` : `${sessionCookieName(secure)}=${token}`;
  ctx.append("Set-Cookie", [value, ...attributes].join("; "));
}
