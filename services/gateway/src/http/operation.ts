import type { Context } from "koa";

/**
 * The SCIM operation a request is, e.g. `users.create`, `groups.patch`, `search` (the root
 * `/.search`), `discovery.schemas`, `health`: the name of the route that matched, as the routes
 * name themselves. Metrics, logs and traces label requests with it; `unmatched` is a path no route
 * serves. Known once routing has matched, which is before authentication runs.
 */
export function operationOf(ctx: Context): string {
  return (ctx as Context & { _matchedRouteName?: string })._matchedRouteName ?? "unmatched";
}
