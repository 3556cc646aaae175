/**
 * The directory's resource ids: lower-case UUIDs (`crypto.randomUUID()`, RFC 9562), as user.proto
 * and group.proto say. Anything else names no resource, so the gateway answers 404 and the
 * directory NOT_FOUND without a query: a 10 KB id or one with a NUL (which PostgreSQL cannot
 * compare) never reaches a store.
 */
const resourceId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isResourceId(id: string): boolean {
  return id.length === 36 && resourceId.test(id);
}
