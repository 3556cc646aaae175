/**
 * The tenant a call's request names (every tenant-scoped request has a `tenant_id`), or undefined
 * for a call about no tenant (VerifyApiKey) or one that names none.
 */
export function tenantOfRequest(request: unknown): string | undefined {
  const tenantId = (request as { tenantId?: unknown } | null | undefined)?.tenantId;
  return typeof tenantId === "string" && tenantId !== "" ? tenantId : undefined;
}
