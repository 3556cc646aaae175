import type { Context, Next } from "koa";
import type { Logger } from "pino";

/** A path as the log shows it: a setup link's token is its only authority, so it is never written down. */
export function loggedPath(path: string): string {
  return path.replace(/^\/setup\/[^/]+/, "/setup/…");
}

/**
 * One line per request, after it is answered: method, path (tokens hidden), status and duration.
 * Live views log when they end. Query strings are left out: filters name users.
 */
export function logRequests(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const line = {
        method: ctx.method,
        path: loggedPath(ctx.path),
        status: ctx.status,
        durationMs: Math.round(performance.now() - started),
      };
      if (ctx.path === "/healthz" || ctx.path.startsWith("/assets/")) logger.debug(line, "request");
      else if (ctx.status >= 500) logger.error(line, "request");
      else if (ctx.status === 403 || ctx.status === 429) logger.warn(line, "request");
      else logger.info(line, "request");
    }
  };
}
