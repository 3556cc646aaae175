import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Context, Next } from "koa";

const types: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/**
 * The console's own scripts and stylesheet, read once at start from its build (dist/assets) and
 * served from memory at /assets/<name>: a fixed set of names, so no path from a request reaches
 * the file system.
 */
export function serveAssets(folder: string) {
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(folder)) {
    const type = types[path.extname(name)];
    if (type !== undefined) assets.set(`/assets/${name}`, { body: readFileSync(path.join(folder, name)), type });
  }
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!ctx.path.startsWith("/assets/")) return next();
    const asset = assets.get(ctx.path);
    if (asset === undefined || (ctx.method !== "GET" && ctx.method !== "HEAD")) {
      ctx.status = 404;
      ctx.type = "text/plain";
      ctx.body = "not found";
      return;
    }
    // Same names in every build, so browsers revalidate rather than keep an old script.
    ctx.set("Cache-Control", "no-cache");
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
