import type { TenantService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import type { Knex } from "knex";
import { invalidArgument, notFound } from "../errors/directory-errors.js";
import { readTenantHealth } from "./tenant-health.js";
import { tenantHealthMessageOf, tenantMessageOf } from "./tenant-message.js";
import type { Tenant, TenantStore } from "../tenants/tenant-store.js";

/** A request's tenant_id, which every tenant RPC but ListTenants and CreateTenant needs. */
function requiredTenantId(tenantId: string): string {
  if (tenantId === "") throw invalidArgument("tenant_id is required");
  return tenantId;
}

/**
 * TenantService: what `scimgw-admin tenants` does, over the same store and so under the same
 * rules (tenant-name.ts, the store's rate-limit rule). Tenants are named by id here, never by name:
 * a console knows the id, and a name could be changed between a listing and a click.
 */
export function createTenantService(db: Knex, tenants: TenantStore): ServiceImplementationOf<typeof TenantService> {
  /** The tenant by id only (the store's resolve also takes a name, as an admin types it). */
  async function byId(tenantId: string): Promise<Tenant> {
    const tenant = await tenants.resolve(requiredTenantId(tenantId));
    if (tenant.id !== tenantId) throw notFound(`tenant "${tenantId}"`);
    return tenant;
  }

  return {
    async listTenants() {
      const [all, health] = await Promise.all([tenants.list(), readTenantHealth(db)]);
      const byName = [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return {
        tenants: byName.map((tenant) => ({ tenant: tenantMessageOf(tenant), health: tenantHealthMessageOf(health.get(tenant.id)) })),
      };
    },

    async getTenant(request) {
      const tenant = await byId(request.tenantId);
      const health = await readTenantHealth(db, { tenantId: tenant.id });
      return { tenant: { tenant: tenantMessageOf(tenant), health: tenantHealthMessageOf(health.get(tenant.id)) } };
    },

    async createTenant(request) {
      return { tenant: tenantMessageOf(await tenants.create(request.name)) };
    },

    async renameTenant(request) {
      return { tenant: tenantMessageOf(await tenants.rename(requiredTenantId(request.tenantId), request.name)) };
    },

    async suspendTenant(request) {
      return { tenant: tenantMessageOf(await tenants.suspend(requiredTenantId(request.tenantId))) };
    },

    async resumeTenant(request) {
      return { tenant: tenantMessageOf(await tenants.resume(requiredTenantId(request.tenantId))) };
    },

    async setTenantRateLimit(request) {
      const limit = request.rateLimit === undefined ? null : { perSecond: request.rateLimit.perSecond, burst: request.rateLimit.burst };
      return { tenant: tenantMessageOf(await tenants.setRateLimit(requiredTenantId(request.tenantId), limit)) };
    },
  };
}
