import { ScimError } from "@scimgw/scim";
import { schemaChanged, schemaChangedTo } from "../errors/directory-errors.js";
import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import type { TenantSchemaCache } from "./tenant-schema-cache.js";

/**
 * Runs a write of a user or group by the tenant's schemas at the revision its caller asked for.
 * The write validates by the resource types it is given and fails with SCHEMA_CHANGED where it
 * commits (recordChanges) if the tenant's revision is another by then, so nothing is stored by a
 * schema that is no longer the tenant's.
 *
 * - A caller that named a revision (the gateway, which built the SCIM body by it) gets
 *   SCHEMA_CHANGED whenever that revision is not current, before or at commit: its view is stale,
 *   and only it can re-read the schemas and decide what the body means.
 * - A caller that sent 0 asked to write by whatever is current, so a revision that moved under
 *   the write (a cached one, or a schema change racing it) is no news to it: the write is validated
 *   and run once more by the revision the commit found. So is a body the cached schemas refuse
 *   (an attribute of an extension registered a moment ago elsewhere) when the tenant's revision
 *   has moved: that read is paid only on the error path. A second change in that window, which
 *   takes two schema changes within one write, is reported rather than chased.
 */
export async function writeBySchema<T>(
  schemas: TenantSchemaCache,
  tenantId: string,
  requestedRevision: bigint,
  write: (types: TenantResourceTypes) => Promise<T>,
): Promise<T> {
  const types = await schemas.get(tenantId, requestedRevision);
  if (requestedRevision !== 0n) {
    if (types.revision !== requestedRevision) throw schemaChanged(requestedRevision, types.revision);
    return write(types);
  }
  try {
    return await write(types);
  } catch (error) {
    const actual = schemaChangedTo(error);
    if (actual !== undefined) return write(await schemas.get(tenantId, actual));
    if (!(error instanceof ScimError)) throw error;
    const current = await schemas.get(tenantId, types.revision + 1n);
    if (current.revision === types.revision) throw error;
    return write(current);
  }
}
