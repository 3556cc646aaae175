import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { Knex } from "knex";
import { writeTransaction } from "../database/write-transaction.js";
import { invalidValue, notFound } from "../errors/directory-errors.js";
import { requireValue } from "../errors/require-value.js";
import { generateSecret, hashSecret } from "../secrets/secret.js";
import { controlCharacter } from "../tenants/tenant-name.js";

/** Recognisable in a URL, a log or a leak report, and unlike API keys (`scimgw_`) and credentials (`scimgw_svc_`). */
const setupTokenPrefix = "scimgw_setup_";

const dayMs = 24 * 60 * 60 * 1000;
/** How long a link works when its creator names no period, and the longest it may. */
export const defaultSetupLinkTtlMs = 7 * dayMs;
export const maxSetupLinkTtlMs = 30 * dayMs;

export interface SetupLink {
  id: string;
  tenantId: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

interface SetupLinkRow {
  tenant_id: string;
  id: string;
  token_sha256: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

const fromRow = (row: SetupLinkRow): SetupLink => ({
  id: row.id,
  tenantId: row.tenant_id,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

/** Who created a link, as shown to operators: trimmed, 1 to 254 printable characters. */
function validCreator(typed: string): string {
  const createdBy = typed.trim();
  if (createdBy === "" || [...createdBy].length > 254 || controlCharacter.test(createdBy))
    throw invalidValue("created_by must be the creating operator's email: 1 to 254 printable characters");
  return createdBy;
}

export function createSetupLinkStore(db: Knex, { now = Date.now }: { now?: () => number } = {}) {
  return {
    /**
     * Creates a link for a tenant that works for `ttlMs` (0: the default); returns its token, the
     * only copy there will ever be. NOT_FOUND for no such tenant.
     */
    async create(tenantId: string, ttlMs: number, typedCreator: string): Promise<{ token: string; link: SetupLink }> {
      if (ttlMs < 0 || ttlMs > maxSetupLinkTtlMs) throw invalidValue(`a setup link works for at most ${maxSetupLinkTtlMs / dayMs} days`);
      const createdBy = validCreator(typedCreator);
      const issued = generateSecret(setupTokenPrefix);
      const createdAt = now();
      const row: SetupLinkRow = {
        tenant_id: tenantId,
        id: issued.id,
        token_sha256: issued.sha256,
        created_by: createdBy,
        created_at: new Date(createdAt).toISOString(),
        expires_at: new Date(createdAt + (ttlMs === 0 ? defaultSetupLinkTtlMs : ttlMs)).toISOString(),
        revoked_at: null,
      };
      await writeTransaction(db, undefined, async (trx) => {
        if ((await trx("tenants").where({ id: tenantId }).first("id")) === undefined) throw notFound(`tenant "${tenantId}"`);
        await trx<SetupLinkRow>("setup_links").insert(row);
      });
      return { token: issued.secret, link: fromRow(row) };
    },

    /** A tenant's links, newest first; NOT_FOUND for no such tenant. */
    async list(tenantId: string): Promise<SetupLink[]> {
      if ((await db("tenants").where({ id: tenantId }).first("id")) === undefined) throw notFound(`tenant "${tenantId}"`);
      const rows = await db<SetupLinkRow>("setup_links")
        .where({ tenant_id: tenantId })
        .orderBy([
          { column: "created_at", order: "desc" },
          { column: "id", order: "desc" },
        ]);
      return rows.map(fromRow);
    },

    /** Revokes a link at once; a revoked link is returned as first revoked. NOT_FOUND when the tenant has no such link. */
    async revoke(tenantId: string, id: string): Promise<SetupLink> {
      const revokedAt = new Date(now()).toISOString();
      await writeTransaction(db, undefined, (trx) =>
        trx<SetupLinkRow>("setup_links").where({ tenant_id: tenantId, id }).whereNull("revoked_at").update({ revoked_at: revokedAt }),
      );
      const row = await db<SetupLinkRow>("setup_links").where({ tenant_id: tenantId, id }).first();
      if (row === undefined) throw notFound(`setup link "${id}"`);
      return fromRow(requireValue(row, "a setup link just revoked can be read back (links are never deleted)"));
    },

    /**
     * The link a token opens, with its tenant's name. UNAUTHENTICATED with UNKNOWN_SETUP_LINK for a
     * token no link has, SETUP_LINK_REVOKED (metadata `revoked_at`) or SETUP_LINK_EXPIRED
     * (`expired_at`) for one that no longer works. Everything a token may do starts here, and acts
     * on the tenant returned and no other.
     */
    async open(token: string): Promise<{ link: SetupLink; tenantName: string }> {
      const row: (SetupLinkRow & { tenant_name: string }) | undefined =
        token === ""
          ? undefined
          : await db("setup_links as l")
              .join("tenants as t", "t.id", "l.tenant_id")
              .where("l.token_sha256", hashSecret(token))
              .first("l.*", { tenant_name: "t.name" });
      if (row === undefined)
        throw new RpcError(Code.UNAUTHENTICATED, "no setup link has this token", { reason: ErrorReason.UNKNOWN_SETUP_LINK });
      if (row.revoked_at !== null)
        throw new RpcError(Code.UNAUTHENTICATED, `this setup link was revoked at ${row.revoked_at}; ask for a new one`, {
          reason: ErrorReason.SETUP_LINK_REVOKED,
          metadata: { revoked_at: row.revoked_at },
        });
      if (row.expires_at <= new Date(now()).toISOString())
        throw new RpcError(Code.UNAUTHENTICATED, `this setup link expired at ${row.expires_at}; ask for a new one`, {
          reason: ErrorReason.SETUP_LINK_EXPIRED,
          metadata: { expired_at: row.expires_at },
        });
      return { link: fromRow(row), tenantName: row.tenant_name };
    },
  };
}

export type SetupLinkStore = ReturnType<typeof createSetupLinkStore>;
