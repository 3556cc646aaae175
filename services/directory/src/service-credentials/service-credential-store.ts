import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { notFound } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { generateSecret } from "../secrets/secret.js";
import { writeTransaction } from "../database/write-transaction.js";

/**
 * What a credential lets its holder do, each scope including the ones before it: read; also write
 * the tenants' data (the gateway); also administer the install (tenants, API keys, operators and
 * setup links: the console).
 */
export const scopes = ["read-only", "read-write", "admin"] as const;
export type Scope = (typeof scopes)[number];

/** Prefixed unlike API keys, so neither can be mistaken for the other in a config file or a leak report. */
const credentialPrefix = "scimgw_svc_";

/**
 * Which tenants a credential may name in its calls: every one (the gateway, which serves them
 * all), or the listed tenant ids. Calls without a tenant (VerifyApiKey) need "all".
 */
export type TenantGrant = "all" | readonly string[];

interface ServiceCredentialRow {
  id: string;
  name: string;
  scope: Scope;
  all_tenants: boolean | number;
  secret_sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ServiceCredentialInfo {
  id: string;
  name: string;
  scope: Scope;
  tenants: TenantGrant;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const fromRow = (row: ServiceCredentialRow, granted: readonly string[]): ServiceCredentialInfo => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  // SQLite returns booleans as 0/1.
  tenants: row.all_tenants ? "all" : [...granted].sort(),
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

interface GrantRow {
  tenant_id: string;
  credential_id: string;
}

export function createServiceCredentialStore(db: Knex) {
  async function grantsOf(credentialIds: readonly string[]): Promise<Map<string, string[]>> {
    const grants = new Map<string, string[]>();
    if (credentialIds.length === 0) return grants;
    const rows = await db<GrantRow>("service_credential_tenants").whereIn("credential_id", credentialIds);
    for (const row of rows) grants.set(row.credential_id, [...(grants.get(row.credential_id) ?? []), row.tenant_id]);
    return grants;
  }

  return {
    /**
     * Issues a credential; the returned secret is the only copy there will ever be. `tenants` is
     * "all" or the ids of existing tenants (at least one).
     */
    async issue(name: string, scope: Scope, tenants: TenantGrant): Promise<{ secret: string; info: ServiceCredentialInfo }> {
      if (tenants !== "all" && tenants.length === 0) throw new RangeError("a credential needs at least one tenant, or all tenants");
      const issued = generateSecret(credentialPrefix);
      const row: ServiceCredentialRow = {
        id: issued.id,
        name,
        scope,
        all_tenants: tenants === "all",
        secret_sha256: issued.sha256,
        created_at: nowIso(),
        last_used_at: null,
        revoked_at: null,
      };
      const granted = tenants === "all" ? [] : [...new Set(tenants)];
      await writeTransaction(db, undefined, async (trx) => {
        await trx<ServiceCredentialRow>("service_credentials").insert(row);
        if (granted.length > 0)
          await trx<GrantRow>("service_credential_tenants").insert(
            granted.map((tenantId) => ({ tenant_id: tenantId, credential_id: row.id })),
          );
      });
      return { secret: issued.secret, info: fromRow(row, granted) };
    },

    /** Resolves a live credential by its hash with one indexed lookup, recording its use. */
    async verify(secretSha256: string): Promise<ServiceCredentialInfo | undefined> {
      const row = await db<ServiceCredentialRow>("service_credentials")
        .where({ secret_sha256: secretSha256 })
        .whereNull("revoked_at")
        .first();
      if (row === undefined) return undefined;
      const lastUsedAt = nowIso();
      await writeTransaction(db, undefined, (trx) =>
        trx<ServiceCredentialRow>("service_credentials").where({ id: row.id }).update({ last_used_at: lastUsedAt }),
      );
      const granted = row.all_tenants ? [] : ((await grantsOf([row.id])).get(row.id) ?? []);
      return fromRow({ ...row, last_used_at: lastUsedAt }, granted);
    },

    async revoke(id: string): Promise<ServiceCredentialInfo> {
      const revokedAt = nowIso();
      const updated = await writeTransaction(db, undefined, (trx) =>
        trx<ServiceCredentialRow>("service_credentials").where({ id }).whereNull("revoked_at").update({ revoked_at: revokedAt }),
      );
      if (updated === 0) throw notFound(`live service credential "${id}"`);
      const row = await db<ServiceCredentialRow>("service_credentials").where({ id }).first();
      const revoked = requireValue(row, `service credential "${id}", just revoked, can be read back (credentials are never deleted)`);
      return fromRow(revoked, (await grantsOf([id])).get(id) ?? []);
    },

    async list(): Promise<ServiceCredentialInfo[]> {
      const rows = await db<ServiceCredentialRow>("service_credentials").orderBy([{ column: "created_at" }, { column: "id" }]);
      const grants = await grantsOf(rows.map((row) => row.id));
      return rows.map((row) => fromRow(row, grants.get(row.id) ?? []));
    },
  };
}

export type ServiceCredentialStore = ReturnType<typeof createServiceCredentialStore>;
