import Router from "@koa/router";
import type { Readiness } from "./check-readiness.js";

/**
 * Liveness and readiness, for load balancers and Kubernetes probes. Neither says anything about a
 * tenant, so neither needs an API key. /healthz: the process serves HTTP (restart it if not).
 * /readyz: it can serve SCIM now (route traffic elsewhere if not; restarting would not help).
 */
export function healthRoutes(checkReadiness: () => Promise<Readiness>): Router {
  const health = new Router();
  health.get("health", "/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  health.get("readiness", "/readyz", async (ctx) => {
    const readiness = await checkReadiness();
    // Never cached by a proxy in between: the answer is about this instant.
    ctx.set("Cache-Control", "no-store");
    ctx.status = readiness.ready ? 200 : 503;
    ctx.body = readiness.ready ? { status: "ready" } : { status: "not ready", reason: readiness.reason };
  });
  return health;
}
