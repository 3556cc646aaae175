/**
 * The value, or an Error naming the invariant that should have made it present: for values the
 * code has already made sure of (a map entry checked above, the column a query filtered on) where
 * TypeScript cannot see it. Not an RpcError on purpose: the caller gets INTERNAL and the message
 * goes to the log, since a broken invariant is a bug here, not a bad request.
 */
export function requireValue<T>(value: T | null | undefined, invariant: string): T {
  if (value === undefined || value === null) throw new Error(`invariant broken: ${invariant}`);
  return value;
}
