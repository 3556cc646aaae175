import Router from "@koa/router";
import type { Context } from "koa";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { ConsoleContext } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { documentOf, html } from "../html/html.js";
import { notice, page } from "../html/layout.js";
import { sessionTokenOf, staleForm } from "../http/operator-session.js";
import { consoleOrigin, isSameOrigin } from "../http/same-origin.js";
import { isSecure, setSessionCookie } from "../http/session-cookie.js";

/** Where to go after signing in: a path of this console only, never another site. */
function nextPath(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && !value.startsWith("/login") ? value : "/tenants";
}

function loginPage(ctx: Context, options: { email?: string; problem?: string; next?: string }): void {
  ctx.type = "html";
  ctx.body = documentOf(
    page({
      title: "Sign in",
      body: html`${options.problem === undefined ? "" : notice("error", options.problem)}
<form method="post" action="/login" class="card narrow">
  <input type="hidden" name="next" value="${options.next ?? "/tenants"}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${options.email ?? ""}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="muted">Operators are added with <code>scimgw-admin operators add &lt;email&gt;</code>.</p>`,
    }),
  );
}

/** Sign-in and sign-out: the only operator routes without a session. */
export function loginRoutes(context: ConsoleContext) {
  const { directory, publicUrl, logger } = context;
  const router = new Router();

  router.get("/", (ctx) => ctx.redirect("/tenants"));

  router.get("/login", (ctx) => loginPage(ctx, { next: nextPath(ctx.query.next) }));

  router.post("/login", async (ctx) => {
    // Login CSRF: a foreign page must not sign the browser in as someone else.
    if (!isSameOrigin(ctx, consoleOrigin(ctx, publicUrl))) throw new ConsoleError(403, staleForm);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === "string" ? body.email.trim().slice(0, 320) : "";
    const password = typeof body.password === "string" ? body.password.slice(0, 1024) : "";
    const next = nextPath(body.next);
    try {
      const { sessionToken } = await directory.operators.startOperatorSession({ email, password, clientAddress: ctx.ip });
      setSessionCookie(ctx, isSecure(ctx, publicUrl), sessionToken);
      ctx.status = 303;
      ctx.redirect(next);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      if (error.code === Code.UNAUTHENTICATED && error.reason === ErrorReason.INVALID_OPERATOR_CREDENTIALS) {
        ctx.status = 401;
        loginPage(ctx, { email, next, problem: "The email or the password is wrong." });
        return;
      }
      if (error.code === Code.RESOURCE_EXHAUSTED && error.reason === ErrorReason.RATE_LIMITED) {
        const seconds = Number(error.metadata.retry_after_seconds ?? "60");
        const minutes = Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 60) / 60));
        logger.warn({ clientAddress: ctx.ip }, "sign-in refused: too many failures");
        ctx.status = 429;
        ctx.set("Retry-After", String(Math.max(1, Math.ceil(seconds))));
        loginPage(ctx, { email, next, problem: `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` });
        return;
      }
      throw error;
    }
  });

  router.post("/logout", async (ctx) => {
    if (!isSameOrigin(ctx, consoleOrigin(ctx, publicUrl))) throw new ConsoleError(403, staleForm);
    const token = sessionTokenOf(ctx, publicUrl);
    // Signing out needs no CSRF token: the worst a forged one does is sign the operator out.
    if (token !== undefined) await directory.operators.endOperatorSession({ sessionToken: token });
    setSessionCookie(ctx, isSecure(ctx, publicUrl), undefined);
    ctx.status = 303;
    ctx.redirect("/login");
  });

  return router;
}
