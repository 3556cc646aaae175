import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { notFound } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { rateLimitOf, type TenantRateLimit, type TenantRow } from "../tenants/tenant-store.js";
import { generateApiKey } from "./api-key.js";
import { validApiKeyLabel } from "./api-key-label.js";
import { writeTransaction } from "../database/write-transaction.js";

interface ApiKeyRow {
  tenant_id: string;
  id: string;
  key_sha256: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ApiKeyInfo {
  tenantId: string;
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a presented key is: a live key of an active tenant, or one that is known but refused. */
export type KeyVerdict =
  | { status: "valid"; key: ApiKeyInfo; tenantRateLimit: TenantRateLimit | null; schemaRevision: bigint }
  | { status: "revoked"; key: ApiKeyInfo }
  | { status: "suspended"; key: ApiKeyInfo };

const fromRow = (row: ApiKeyRow): ApiKeyInfo => ({
  tenantId: row.tenant_id,
  id: row.id,
  label: row.label,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function createApiKeyStore(db: Knex) {
  return {
    /**
     * Issues a key for a tenant; the returned secret is the only copy there will ever be. Refuses a
     * label validApiKeyLabel refuses, and a tenant that does not exist (NOT_FOUND).
     */
    async issue(tenantId: string, typedLabel: string): Promise<{ key: string; info: ApiKeyInfo }> {
      const label = validApiKeyLabel(typedLabel);
      const issued = generateApiKey();
      const row: ApiKeyRow = {
        tenant_id: tenantId,
        id: issued.id,
        key_sha256: issued.sha256,
        label,
        created_at: nowIso(),
        last_used_at: null,
        revoked_at: null,
      };
      // Checked here because a foreign-key failure's wording differs by store; before the write, not
      // in it, so the read runs on a reader's connection and not in the one writer's time. Tenants
      // are never deleted, and the foreign key still refuses a row without its tenant.
      if ((await db("tenants").where({ id: tenantId }).first("id")) === undefined) throw notFound(`tenant "${tenantId}"`);
      await writeTransaction(db, undefined, (trx) => trx<ApiKeyRow>("api_keys").insert(row));
      return { key: issued.key, info: fromRow(row) };
    },

    /**
     * Resolves a key by its hash with one indexed lookup: a live key of an active tenant is
     * `valid`, and its use is recorded (the gateway caches verifications, so this runs about once
     * per key per cache period); a revoked key, or a key of a suspended tenant, is named as such, so
     * the refusal can be recorded in its tenant's activity log. Undefined for a hash no key has.
     */
    async verify(keySha256: string): Promise<KeyVerdict | undefined> {
      // The tenant's rate limit, state and schema revision come in the same query: the gateway
      // caches the whole answer, and rereads the tenant's extensions when the revision moves.
      const row:
        | (ApiKeyRow &
            Pick<TenantRow, "rate_limit_per_second" | "rate_limit_burst" | "suspended_at"> & { schema_revision: number | string | bigint })
        | undefined = await db("api_keys")
        .join("tenants", "tenants.id", "api_keys.tenant_id")
        .where("api_keys.key_sha256", keySha256)
        .first(
          "api_keys.*",
          "tenants.rate_limit_per_second",
          "tenants.rate_limit_burst",
          "tenants.suspended_at",
          "tenants.schema_revision",
        );
      if (row === undefined) return undefined;
      if (row.revoked_at !== null) return { status: "revoked", key: fromRow(row) };
      if (row.suspended_at !== null) return { status: "suspended", key: fromRow(row) };
      const lastUsedAt = nowIso();
      await writeTransaction(db, undefined, (trx) =>
        trx<ApiKeyRow>("api_keys").where({ tenant_id: row.tenant_id, id: row.id }).update({ last_used_at: lastUsedAt }),
      );
      return {
        status: "valid",
        key: fromRow({ ...row, last_used_at: lastUsedAt }),
        tenantRateLimit: rateLimitOf(row),
        schemaRevision: BigInt(row.schema_revision),
      };
    },

    /** Revokes a live key and returns it as revoked. */
    async revoke(tenantId: string, id: string): Promise<ApiKeyInfo> {
      const revokedAt = nowIso();
      const updated = await writeTransaction(db, undefined, (trx) =>
        trx<ApiKeyRow>("api_keys").where({ tenant_id: tenantId, id }).whereNull("revoked_at").update({ revoked_at: revokedAt }),
      );
      if (updated === 0) throw notFound(`live API key "${id}"`);
      const row = await db<ApiKeyRow>("api_keys").where({ tenant_id: tenantId, id }).first();
      return fromRow(requireValue(row, `API key "${id}", just revoked, can be read back (keys are never deleted)`));
    },

    /** One of a tenant's keys, revoked or not; undefined when the tenant has no key of that id. */
    async find(tenantId: string, id: string): Promise<ApiKeyInfo | undefined> {
      const row = await db<ApiKeyRow>("api_keys").where({ tenant_id: tenantId, id }).first();
      return row === undefined ? undefined : fromRow(row);
    },

    /** A tenant's keys, oldest first (the CLI's order), revoked ones too unless `liveOnly`. */
    async list(tenantId: string, { liveOnly = false }: { liveOnly?: boolean } = {}): Promise<ApiKeyInfo[]> {
      const query = db<ApiKeyRow>("api_keys").where({ tenant_id: tenantId });
      if (liveOnly) query.whereNull("revoked_at");
      const rows = await query.orderBy([{ column: "created_at" }, { column: "id" }]);
      return rows.map(fromRow);
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
