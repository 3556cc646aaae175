import { AsyncLocalStorage } from "node:async_hooks";

interface RequestContext {
  readonly requestId: string;
}

/**
 * The request a piece of work is for, carried through every await by AsyncLocalStorage: the
 * logger stamps its lines with it and outgoing gRPC calls send it on, without every function
 * passing it along.
 */
const storage = new AsyncLocalStorage<RequestContext>();

/** Runs work (and everything it starts) as part of the request with this id. */
export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/** The id of the request the current work is for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
