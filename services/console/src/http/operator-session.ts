import type { Context, Next } from "koa";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { ConsoleContext, OperatorState } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { csrfTokenMatches } from "./csrf-token.js";
import { consoleOrigin, isSameOrigin } from "./same-origin.js";
import { isSecure, readCookie, sessionCookieName, setSessionCookie } from "./session-cookie.js";

/** The refusal of a state change that did not come from the console's own page. */
export const staleForm = "This request did not come from this console's own page (or the page is too old). Reload the page and try again.";

/** The session token of a request, from the cookie its scheme calls for. */
export function sessionTokenOf(ctx: Context, publicUrl: string | undefined): string | undefined {
  return readCookie(ctx, sessionCookieName(isSecure(ctx, publicUrl)));
}

/**
 * Every operator route: the session is asked of the directory on every request, so signing out
 * (anywhere) and expiry take effect at once. Without a live session a page redirects to /login.
 * A POST must come from the console's origin and carry the session's CSRF token (form field
 * `csrf_token` or header `x-csrf-token`); otherwise 403, before anything is changed.
 */
export function requireOperator({ directory, publicUrl }: ConsoleContext) {
  return async (ctx: Context & { state: Partial<OperatorState> }, next: Next): Promise<void> => {
    const changing = ctx.method !== "GET" && ctx.method !== "HEAD";
    if (changing && !isSameOrigin(ctx, consoleOrigin(ctx, publicUrl))) throw new ConsoleError(403, staleForm);
    const token = sessionTokenOf(ctx, publicUrl);
    const session =
      token === undefined
        ? undefined
        : await directory.operators.getOperatorSession({ sessionToken: token }).then(
            (response) => response.session,
            (error: unknown) => {
              if (error instanceof RpcError && error.code === Code.UNAUTHENTICATED && error.reason === ErrorReason.OPERATOR_SESSION_ENDED)
                return undefined;
              throw error;
            },
          );
    if (session === undefined || session.operator === undefined) {
      if (token !== undefined) setSessionCookie(ctx, isSecure(ctx, publicUrl), undefined);
      if (changing) throw new ConsoleError(403, staleForm);
      if (ctx.path.endsWith("/stream")) throw new ConsoleError(401, "Your session has ended; sign in again.");
      ctx.redirect(`/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    if (changing) {
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const sent = typeof body.csrf_token === "string" ? body.csrf_token : ctx.get("x-csrf-token") || undefined;
      if (!csrfTokenMatches(sent, session.csrfToken)) throw new ConsoleError(403, staleForm);
    }
    ctx.state.operator = { email: session.operator.email, csrfToken: session.csrfToken };
    await next();
  };
}
