import { Counter, type Registry } from "prom-client";

/**
 * scimgw_directory_unknown_assignments_total{attribute}: entitlements and roles values stored
 * although they name no catalog entry (UNKNOWN_ENTITLEMENTS=record). A rising count says an IdP
 * assigns what the catalog does not publish yet. By attribute only: tenants would be unbounded.
 */
export function registerUnknownAssignmentMetrics(registry: Registry): (attribute: string, count: number) => void {
  const counter = new Counter({
    name: "scimgw_directory_unknown_assignments_total",
    help: "Entitlements and roles values recorded although no catalog entry of the tenant has them (UNKNOWN_ENTITLEMENTS=record)",
    labelNames: ["attribute"] as const,
    registers: [registry],
  });
  return (attribute, count) => counter.inc({ attribute }, count);
}
