import type { Knex } from "knex";
import { Registry } from "prom-client";
import { registerProcessMetrics } from "@scimgw/metrics";
import type { ObserveCall } from "@scimgw/grpc";
import type { ObserveChangeStreams } from "../changes/change-service.js";
import { registerChangeStreamMetrics } from "./change-stream-metrics.js";
import { registerDatabasePoolMetrics } from "./database-pool-metrics.js";
import { registerRpcMetrics } from "./rpc-metrics.js";
import { registerUnknownAssignmentMetrics } from "./unknown-assignment-metrics.js";

export interface DirectoryMetricsOptions {
  db: Knex;
  /**
   * The process metrics (registerProcessMetrics: prom-client's CPU, memory, event loop lag and GC,
   * and the event loop's busy seconds). Default true;
   * tests that build many servers in one process leave them out.
   */
  processMetrics?: boolean;
}

/** The directory's metrics and the hooks that feed them; createDirectoryServer wires them in. */
export interface DirectoryMetrics {
  readonly registry: Registry;
  /** For ServerHooks.observers. */
  readonly observeCall: ObserveCall;
  /** For the change service. */
  readonly observeChangeStreams: ObserveChangeStreams;
  /** Counts entitlements and roles values recorded although unknown to the catalog. */
  readonly countUnknownAssignments?: (attribute: string, count: number) => void;
}

/** The directory's Prometheus metrics, in a Registry of its own (README "Operations › Metrics"). */
export function createDirectoryMetrics({ db, processMetrics = true }: DirectoryMetricsOptions): DirectoryMetrics {
  const registry = new Registry();
  const observeCall = registerRpcMetrics(registry);
  registerDatabasePoolMetrics(registry, db);
  const observeChangeStreams = registerChangeStreamMetrics(registry, db);
  const countUnknownAssignments = registerUnknownAssignmentMetrics(registry);
  if (processMetrics) registerProcessMetrics(registry);
  return { registry, observeCall, observeChangeStreams, countUnknownAssignments };
}
