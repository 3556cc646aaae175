import type { ActivityDropReason } from "../activity/activity-recorder.js";
import type { Middleware } from "koa";
import { Counter, Histogram, Registry } from "prom-client";
import { registerProcessMetrics } from "@scimgw/metrics";
import type { AuthenticatedState } from "../auth/authenticate.js";
import { failureOf } from "../errors/request-failure.js";
import { identityProviderOf } from "../http/identity-provider.js";
import { operationOf } from "../http/operation.js";
import type { RateLimitRefusalHook } from "../rate-limit/respond-rate-limited.js";
import type { GroupPatchHook } from "../routes/groups.js";
import { createBoundedLabel } from "./bounded-label.js";
import { groupPatchSizeOf } from "./group-patch-size.js";
import { statusClassOf } from "./status-class.js";

/** The tenant label of a request refused before its tenant was known (no key, a bad key). */
export const noTenantLabel = "none";

export interface GatewayMetricsOptions {
  /** Tenants with a label value of their own; later ones count as `other` (METRICS_MAX_TENANTS). */
  maxTenants: number;
  /**
   * The process metrics (registerProcessMetrics: prom-client's CPU, memory, event loop lag and GC,
   * and the event loop's busy seconds). Default true;
   * tests that build many gateways in one process leave them out.
   */
  processMetrics?: boolean;
}

/** The gateway's metrics and the hooks that feed them; createGateway and main wire them in. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts and times every request; placed outside renderError, so it sees the status and scimType sent. */
  readonly countRequests: Middleware<AuthenticatedState>;
  /** For GatewayOptions.onRateLimited. */
  readonly rateLimited: RateLimitRefusalHook;
  /** For the group routes: the size of every group PATCH that passed the SCIM core's limits. */
  readonly groupPatched: GroupPatchHook;
  /** For the activity recorder: entries that did not reach the activity log. */
  readonly activityDropped: (reason: ActivityDropReason, count: number) => void;
}

// Seconds: a cached GET is milliseconds, a large group's PATCH or members seconds, and the
// directory call times out at 10 s by default (DIRECTORY_TIMEOUT_MS).
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Okta and Entra send a handful of operations; the SCIM core allows 1,000 (SCIM_MAX_PATCH_OPERATIONS).
const patchOperationBuckets = [1, 2, 5, 10, 25, 100, 1000];
// Entra sends at most about 10 member values per PATCH, a bulk import thousands; the core allows 10,000.
const patchMemberBuckets = [0, 1, 10, 100, 1000, 10_000];

/**
 * The gateway's Prometheus metrics, in a Registry of its own (README "Operations › Metrics").
 * Requests are labelled by SCIM operation, status class, IdP and tenant; tenant ids come from
 * clients, so only the first `maxTenants` get a label of their own.
 */
export function createGatewayMetrics({ maxTenants, processMetrics = true }: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const tenantLabel = createBoundedLabel(maxTenants);
  const tenantOf = (tenantId: string | undefined) => (tenantId === undefined ? noTenantLabel : tenantLabel(tenantId));

  const requests = new Counter({
    name: "scimgw_gateway_requests_total",
    help:
      "HTTP requests answered, by SCIM operation (route name, or unmatched), status class, SCIM scimType of an error " +
      `(empty if none), identity provider (okta, entra, other) and tenant (the first METRICS_MAX_TENANTS tenants, then other; ${noTenantLabel} before authentication).`,
    labelNames: ["operation", "status_class", "scim_type", "idp", "tenant"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "scimgw_gateway_request_duration_seconds",
    help: "Time from a request's arrival until its status and headers are ready (a streamed group's members continue after), by the labels of scimgw_gateway_requests_total but scim_type.",
    labelNames: ["operation", "status_class", "idp", "tenant"],
    buckets: durationBuckets,
    registers: [registry],
  });
  const refusals = new Counter({
    name: "scimgw_gateway_rate_limited_total",
    help: `Requests refused with 429 by a rate limit (api-key, tenant, failed-authentication), by tenant (${noTenantLabel} for failed authentications).`,
    labelNames: ["limit", "tenant"],
    registers: [registry],
  });
  const patchOperations = new Histogram({
    name: "scimgw_gateway_group_patch_operations",
    help: "Operations per group PATCH request that passed the SCIM limits, by identity provider.",
    labelNames: ["idp"],
    buckets: patchOperationBuckets,
    registers: [registry],
  });
  const patchMembers = new Histogram({
    name: "scimgw_gateway_group_patch_member_values",
    help: "Member ids named per group PATCH request that passed the SCIM limits (removing all members names none), by identity provider.",
    labelNames: ["idp"],
    buckets: patchMemberBuckets,
    registers: [registry],
  });
  const droppedActivity = new Counter({
    name: "scimgw_gateway_activity_entries_dropped_total",
    help: "Activity entries of reads and failures that did not reach the activity log, by reason: tenant_rate (a tenant over the entries recorded per second), queue_full, undeliverable (the directory refused or was down for several batches).",
    labelNames: ["reason"],
    registers: [registry],
  });
  if (processMetrics) registerProcessMetrics(registry);

  return {
    registry,
    async countRequests(ctx, next) {
      const started = performance.now();
      let threw = false;
      try {
        await next();
      } catch (error) {
        // Only a failure of renderError itself gets here; Koa answers it with 500.
        threw = true;
        throw error;
      } finally {
        const labels = {
          operation: operationOf(ctx),
          status_class: statusClassOf(threw ? 500 : ctx.status),
          idp: identityProviderOf(ctx.get("user-agent") || undefined),
          tenant: tenantOf(ctx.state.tenant?.tenantId),
        };
        requests.inc({ ...labels, scim_type: failureOf(ctx)?.scimType ?? "" });
        duration.observe(labels, (performance.now() - started) / 1000);
      }
    },
    rateLimited(limit, tenantId) {
      refusals.inc({ limit, tenant: tenantOf(tenantId) });
    },
    activityDropped(reason, count) {
      droppedActivity.inc({ reason }, count);
    },
    groupPatched(ctx, operations, steps) {
      const size = groupPatchSizeOf(operations, steps);
      const idp = identityProviderOf(ctx.get("user-agent") || undefined);
      patchOperations.observe({ idp }, size.operations);
      patchMembers.observe({ idp }, size.memberValues);
    },
  };
}
