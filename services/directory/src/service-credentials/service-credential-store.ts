import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { notFound } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { generateSecret } from "../secrets/secret.js";

/** What a credential lets its holder do: read, or also write (the gateway writes). */
export const scopes = ["read-only", "read-write"] as const;
export type Scope = (typeof scopes)[number];

/** Prefixed unlike API keys, so neither can be mistaken for the other in a config file or a leak report. */
const credentialPrefix = "scimgw_svc_";

interface ServiceCredentialRow {
  id: string;
  name: string;
  scope: Scope;
  secret_sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ServiceCredentialInfo {
  id: string;
  name: string;
  scope: Scope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const fromRow = (row: ServiceCredentialRow): ServiceCredentialInfo => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function createServiceCredentialStore(db: Knex) {
  return {
    /** Issues a credential; the returned secret is the only copy there will ever be. */
    async issue(name: string, scope: Scope): Promise<{ secret: string; info: ServiceCredentialInfo }> {
      const issued = generateSecret(credentialPrefix);
      const row: ServiceCredentialRow = {
        id: issued.id,
        name,
        scope,
        secret_sha256: issued.sha256,
        created_at: nowIso(),
        last_used_at: null,
        revoked_at: null,
      };
      await db<ServiceCredentialRow>("service_credentials").insert(row);
      return { secret: issued.secret, info: fromRow(row) };
    },

    /** Resolves a live credential by its hash with one indexed lookup, recording its use. */
    async verify(secretSha256: string): Promise<ServiceCredentialInfo | undefined> {
      const row = await db<ServiceCredentialRow>("service_credentials")
        .where({ secret_sha256: secretSha256 })
        .whereNull("revoked_at")
        .first();
      if (row === undefined) return undefined;
      const lastUsedAt = nowIso();
      await db<ServiceCredentialRow>("service_credentials").where({ id: row.id }).update({ last_used_at: lastUsedAt });
      return fromRow({ ...row, last_used_at: lastUsedAt });
    },

    async revoke(id: string): Promise<ServiceCredentialInfo> {
      const revokedAt = nowIso();
      const updated = await db<ServiceCredentialRow>("service_credentials")
        .where({ id })
        .whereNull("revoked_at")
        .update({ revoked_at: revokedAt });
      if (updated === 0) throw notFound(`live service credential "${id}"`);
      const row = await db<ServiceCredentialRow>("service_credentials").where({ id }).first();
      return fromRow(requireValue(row, `service credential "${id}", just revoked, can be read back (credentials are never deleted)`));
    },

    async list(): Promise<ServiceCredentialInfo[]> {
      return (await db<ServiceCredentialRow>("service_credentials").orderBy([{ column: "created_at" }, { column: "id" }])).map(fromRow);
    },
  };
}

export type ServiceCredentialStore = ReturnType<typeof createServiceCredentialStore>;
