// The standard grpc.health.v1.Health service (grpc-health-check). A service is SERVING while the
// database answers and NOT_SERVING once the server is shutting down, so a load balancer or
// Kubernetes gRPC probe stops routing to a directory that cannot store anything.
import type { Server } from "@grpc/grpc-js";
import type { Knex } from "knex";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

export interface HealthOptions {
  db: Knex;
  /** Fully-qualified names of the services reported alongside the overall status "". */
  services: readonly string[];
  /** How long the database may take to answer a probe before the server counts as NOT_SERVING. */
  probeTimeoutMs?: number;
}

const shutdownMarkers = new WeakMap<Server, () => void>();

/**
 * Adds the health service. Check and List first probe the database (concurrent calls share one
 * probe), so the answer is current without a timer; Watch reports the status of the latest probe.
 */
export function addHealthService(server: Server, { db, services, probeTimeoutMs = 2_000 }: HealthOptions): void {
  const names = ["", ...services];
  // UNKNOWN until the first probe: nothing has looked at the database yet.
  const health = new HealthImplementation(Object.fromEntries(names.map((name) => [name, "UNKNOWN"])));
  let shuttingDown = false;
  let probing: Promise<void> | undefined;
  const setAll = (status: ServingStatus) => {
    for (const name of names) health.setStatus(name, status);
  };

  const refresh = (): Promise<void> =>
    (probing ??= answers(db, probeTimeoutMs).then((up) => {
      probing = undefined;
      // After shutdown started, a healthy database must not flip the server back to SERVING.
      if (!shuttingDown) setAll(up ? "SERVING" : "NOT_SERVING");
    }));

  shutdownMarkers.set(server, () => {
    shuttingDown = true;
    setAll("NOT_SERVING");
  });

  // grpc-health-check registers its handlers through addService; intercepting that call lets the
  // unary methods refresh the status first while the package still owns the protocol.
  health.addToServer({
    addService(definition, implementation) {
      const probed = Object.fromEntries(
        Object.entries(implementation).map(([method, handler]) => {
          if (method === "watch") return [method, handler];
          const delegate = handler as (...args: unknown[]) => void;
          return [method, (...args: unknown[]) => void refresh().then(() => delegate(...args))];
        }),
      );
      server.addService(definition, probed);
    },
  });
}

/** Reports NOT_SERVING for the server and all its services from now on; call when shutdown starts. */
export function markNotServing(server: Server): void {
  shutdownMarkers.get(server)?.();
}

async function answers(db: Knex, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs).unref();
  });
  try {
    // The race also bounds the wait for a pooled connection, which Knex's own timeout does not.
    return await Promise.race([db.raw("select 1").then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
