import path from "node:path";
import { fileURLToPath } from "node:url";
import { bodyParser } from "@koa/bodyparser";
import Router from "@koa/router";
import Koa, { type Context, type Next } from "koa";
import { assignRequestId } from "@scimgw/observability";
import type { Logger } from "pino";
import type { ConsoleContext, ConsoleDirectory, RequestLimit } from "./context/console-context.js";
import { ConsoleError } from "./errors/console-error.js";
import { explainRpcError } from "./errors/explain-rpc-error.js";
import { documentOf, html } from "./html/html.js";
import { notice, page } from "./html/layout.js";
import { requireOperator } from "./http/operator-session.js";
import { defaultRequestLimit, defaultSetupKeyLimit, limitRequests } from "./http/limit-requests.js";
import { loggedPath, logRequests } from "./http/log-requests.js";
import { securityHeaders } from "./http/security-headers.js";
import { serveAssets } from "./http/serve-assets.js";
import { isSecure, setSessionCookie } from "./http/session-cookie.js";
import { loginRoutes } from "./pages/login-routes.js";
import { resourceRoutes } from "./pages/resource-routes.js";
import { tenantRoutes } from "./pages/tenant-routes.js";
import { liveRoutes } from "./pages/live-routes.js";
import { portalRoutes } from "./setup/portal-routes.js";

export interface ConsoleOptions {
  directory: ConsoleDirectory;
  logger: Logger;
  /** CONSOLE_PUBLIC_URL. */
  publicUrl?: string;
  /** The gateway's public origin; default http://localhost:8080 (the gateway's default port). */
  scimOrigin?: string;
  /** Trust X-Forwarded-Proto/-Host/-For from a reverse proxy. */
  trustProxy?: boolean;
  /** How often live views poll the activity log; default 500 ms. */
  pollMs?: number;
  /** Where the built browser scripts and stylesheet are; default this package's dist/assets. */
  assetsFolder?: string;
  /** Requests per caller (setup link, session, else address) and window; default defaultRequestLimit. */
  requestLimit?: RequestLimit;
  /** API keys one setup link may issue per window; default defaultSetupKeyLimit. */
  setupKeyLimit?: RequestLimit;
}

/** This package's built assets (from src/ in tests as from dist/). */
const defaultAssets = path.join(path.dirname(fileURLToPath(import.meta.url)), "../dist/assets");

/**
 * The one error sink: a refusal meant for the person is shown with its status; a directory
 * failure is shown as explainRpcError words it; anything else is a generic page, with the cause
 * in the log only. A session that ended sends the browser to sign in.
 */
function renderErrors(context: { logger: Logger; publicUrl: string | undefined }) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new ConsoleError(404, "This page does not exist.");
    } catch (error) {
      const explained =
        error instanceof ConsoleError ? { status: error.status, message: error.message, unexpected: false } : explainRpcError(error);
      if (explained.unexpected) context.logger.error({ err: error, path: loggedPath(ctx.path) }, "console request failed");
      if (explained.status === 401 && !(error instanceof ConsoleError) && ctx.method === "GET") {
        setSessionCookie(ctx, isSecure(ctx, context.publicUrl), undefined);
        ctx.redirect("/login");
        return;
      }
      ctx.status = explained.status;
      ctx.type = "html";
      const title =
        explained.status === 404
          ? "Not found"
          : explained.status === 410
            ? "Link no longer valid"
            : explained.status === 403
              ? "Refused"
              : explained.status === 429
                ? "Too many requests"
                : "Something went wrong";
      ctx.body = documentOf(page({ title, body: html`${notice("error", explained.message)}<p><a href="/">Back to the start</a></p>` }));
    }
  };
}

/** The console as a Koa app: no side effects until the caller listens. */
export function createConsole(options: ConsoleOptions): Koa {
  const context: ConsoleContext = {
    directory: options.directory,
    logger: options.logger,
    publicUrl: options.publicUrl,
    scimOrigin: options.scimOrigin ?? "http://localhost:8080",
    pollMs: options.pollMs ?? 500,
    setupKeyLimit: options.setupKeyLimit ?? defaultSetupKeyLimit,
  };
  const app = new Koa({ proxy: options.trustProxy ?? false });
  // A browser leaving a live view closes its stream early: routine, not an error worth a line.
  app.on("error", (error: { code?: string }) => {
    if (error.code === "ERR_STREAM_PREMATURE_CLOSE" || error.code === "ECONNRESET" || error.code === "EPIPE") return;
    options.logger.error({ err: error }, "console response failed");
  });
  // Outermost: every log line of the request, and the directory calls made for it, carry its id.
  app.use(assignRequestId);
  app.use(securityHeaders);
  app.use(logRequests(options.logger));
  app.use(renderErrors(context));
  app.use(serveAssets(options.assetsFolder ?? defaultAssets));
  app.use(limitRequests(options.requestLimit ?? defaultRequestLimit, options.publicUrl));
  // Forms only: the console takes no JSON and no uploads.
  app.use(bodyParser({ enableTypes: ["form"], formLimit: "32kb" }));

  const publicRoutes = new Router();
  publicRoutes.get("/healthz", (ctx) => {
    ctx.type = "json";
    ctx.body = { status: "ok" };
  });
  for (const router of [publicRoutes, loginRoutes(context), portalRoutes(context)]) app.use(router.routes()).use(router.allowedMethods());

  // Every page under /tenants needs a live operator session (and a POST its CSRF token).
  const operatorOnly = requireOperator(context);
  app.use((ctx, next) => (ctx.path === "/tenants" || ctx.path.startsWith("/tenants/") ? operatorOnly(ctx, next) : next()));
  for (const router of [tenantRoutes(context), resourceRoutes(context), liveRoutes(context)])
    app.use(router.routes()).use(router.allowedMethods());
  return app;
}
