import type { Middleware } from "koa";

/**
 * Reads a path with doubled slashes as the path with single ones, as nginx does by default
 * (`merge_slashes on`): a connector base URL typed with a trailing slash (`…/scim/v2/`, as some
 * setup guides print it) makes an IdP request `…/scim/v2//Users`, which would otherwise match no
 * route and turn every call, the connector test first, into a 404. Only the literal `/` is merged;
 * an encoded one (`%2F`) stays part of its segment.
 */
export const mergeSlashes: Middleware = (ctx, next) => {
  if (ctx.path.includes("//")) ctx.path = ctx.path.replace(/\/{2,}/g, "/");
  return next();
};
