import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { tenantOfRequest } from "./tenant-of-request.js";

export interface TenantGateOptions {
  /** Calls of one tenant that may run at once. */
  concurrency: number;
  /** Calls of one tenant that may wait for a slot; one more is refused at once. */
  queueLimit: number;
  /** Longest a call waits for a slot before it is refused (its own deadline may end the wait sooner). */
  maxWaitMs: number;
}

interface Waiter {
  admit(): void;
}

interface TenantSlots {
  running: number;
  waiting: Waiter[];
}

/** What a caller that could not get a slot is told: the tenant is busy with its own calls, not the directory. */
function tenantBusy(detail: string): RpcError {
  return new RpcError(Code.RESOURCE_EXHAUSTED, `this tenant already has too many calls in progress: ${detail}; retry after a moment`, {
    reason: ErrorReason.TENANT_BUSY,
    metadata: { retry_after_seconds: "1" },
  });
}

/**
 * Caps the calls one tenant has in the store at a time (DESIGN-NOTES: "One tenant's request is
 * every tenant's wait"). On SQLite every query of every tenant queues for one connection, first
 * come first served; a tenant flooding the directory could fill that queue and make every other
 * tenant's GET and API-key check wait behind it. With at most `concurrency` calls of any tenant
 * in the store, another tenant's call waits behind at most `concurrency` calls per busy tenant,
 * which is a round-robin between tenants in effect, without a scheduler of its own. Extra calls
 * wait in a FIFO per tenant, bounded by count and time, and are refused with TENANT_BUSY past it.
 */
export function createTenantGate({ concurrency, queueLimit, maxWaitMs }: TenantGateOptions) {
  const tenants = new Map<string, TenantSlots>();

  function release(tenantId: string, slots: TenantSlots): void {
    const next = slots.waiting.shift();
    // The slot passes straight to the next waiter, so a newcomer can never overtake the queue.
    if (next !== undefined) next.admit();
    else if (--slots.running === 0) tenants.delete(tenantId);
  }

  return {
    /**
     * Waits for one of the tenant's slots; resolves to the function that gives it back (call it
     * exactly once). Rejects with the signal's reason when the call is cancelled or its deadline
     * passes while waiting, and with TENANT_BUSY when the queue is full or the wait too long.
     */
    async enter(tenantId: string, signal?: AbortSignal): Promise<() => void> {
      signal?.throwIfAborted();
      let slots = tenants.get(tenantId);
      if (slots === undefined) {
        slots = { running: 0, waiting: [] };
        tenants.set(tenantId, slots);
      }
      const held = slots;
      let released = false;
      const leave = () => {
        if (released) return;
        released = true;
        release(tenantId, held);
      };
      if (held.running < concurrency) {
        held.running++;
        return leave;
      }
      if (held.waiting.length >= queueLimit) throw tenantBusy(`${queueLimit} calls are already waiting`);
      return new Promise<() => void>((resolve, reject) => {
        const stop = (error: unknown) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          held.waiting.splice(held.waiting.indexOf(waiter), 1);
          reject(error);
        };
        const onAbort = () => stop(signal?.reason);
        const timer = setTimeout(() => stop(tenantBusy(`no slot came free within ${maxWaitMs} ms`)), maxWaitMs);
        const waiter: Waiter = {
          admit() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            resolve(leave);
          },
        };
        held.waiting.push(waiter);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },

    /** Calls running and waiting per tenant with any; for tests and diagnostics. */
    load(tenantId: string): { running: number; waiting: number } {
      const slots = tenants.get(tenantId);
      return { running: slots?.running ?? 0, waiting: slots?.waiting.length ?? 0 };
    },
  };
}

export type TenantGate = ReturnType<typeof createTenantGate>;

/**
 * Every unary method of a service implementation, each call run inside one of its tenant's slots
 * (requests without a tenant id pass; the handler refuses them). For unary services only: a
 * stream would hold its slot for as long as it stays open.
 */
export function gatedByTenant<T extends object>(gate: TenantGate, implementation: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(implementation)) {
    wrapped[name] =
      typeof method === "function"
        ? async (request: unknown, context: { signal?: AbortSignal } | undefined, ...rest: unknown[]) => {
            const tenantId = tenantOfRequest(request);
            if (tenantId === undefined) return method.call(implementation, request, context, ...rest);
            const leave = await gate.enter(tenantId, context?.signal);
            try {
              return await method.call(implementation, request, context, ...rest);
            } finally {
              leave();
            }
          }
        : method;
  }
  return wrapped as T;
}
