import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { dialectOf } from "../database/open-database.js";
import { nowIso } from "../database/timestamps.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { invalidValue, notFound, uniquenessViolation } from "../errors/directory-errors.js";
import { validTenantName } from "./tenant-name.js";
import { pendingCountsOf } from "./tenant-row-claim.js";
import { writeTransaction } from "../database/write-transaction.js";

/** A tenant's own request rate as a token bucket; without one, the gateway's defaults apply. */
export interface TenantRateLimit {
  perSecond: number;
  burst: number;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
  rateLimit: TenantRateLimit | null;
  /** When an operator suspended the tenant (its API keys are refused meanwhile); null when active. */
  suspendedAt: string | null;
}

/** A count the tenant's row kept and the rows' own count, as a recount found them. */
export interface KeptCount {
  kept: number;
  counted: number;
}

export interface ResourceRecount {
  users: KeptCount;
  groups: KeptCount;
}

export interface TenantRow {
  id: string;
  name: string;
  created_at: string;
  rate_limit_per_second: number | null;
  rate_limit_burst: number | null;
  suspended_at: string | null;
}

/** The rate limit columns of a tenant row (also read by the API key lookup's join). */
export function rateLimitOf(row: Pick<TenantRow, "rate_limit_per_second" | "rate_limit_burst">): TenantRateLimit | null {
  if (row.rate_limit_per_second == null || row.rate_limit_burst == null) return null;
  return { perSecond: Number(row.rate_limit_per_second), burst: Number(row.rate_limit_burst) };
}

const fromRow = (row: TenantRow): Tenant => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  rateLimit: rateLimitOf(row),
  suspendedAt: row.suspended_at ?? null,
});

export function createTenantStore(db: Knex) {
  return {
    /** Refuses a name validTenantName refuses, or one another tenant has (names are unique as typed, case and all). */
    async create(typedName: string): Promise<Tenant> {
      const name = validTenantName(typedName);
      const row: TenantRow = {
        id: randomUUID(),
        name,
        created_at: nowIso(),
        rate_limit_per_second: null,
        rate_limit_burst: null,
        suspended_at: null,
      };
      try {
        await writeTransaction(db, undefined, (trx) => trx<TenantRow>("tenants").insert(row));
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessViolation(`a tenant named "${name}" already exists`, "name");
        throw error;
      }
      return fromRow(row);
    },

    /** Renames a tenant under the same rules as create; its id, and so its keys and data, stay. */
    async rename(tenantId: string, typedName: string): Promise<Tenant> {
      const name = validTenantName(typedName);
      try {
        const updated = await writeTransaction(db, undefined, (trx) => trx<TenantRow>("tenants").where({ id: tenantId }).update({ name }));
        if (updated === 0) throw notFound(`tenant "${tenantId}"`);
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessViolation(`a tenant named "${name}" already exists`, "name");
        throw error;
      }
      return this.resolve(tenantId);
    },

    async list(): Promise<Tenant[]> {
      const rows = await db<TenantRow>("tenants")
        .select("*")
        .orderBy([{ column: "created_at" }, { column: "id" }]);
      return rows.map(fromRow);
    },

    /** Finds a tenant by id or by name, as an admin would type it. */
    async resolve(idOrName: string): Promise<Tenant> {
      const row = await db<TenantRow>("tenants").where("id", idOrName).orWhere("name", idOrName).first();
      if (row === undefined) throw notFound(`tenant "${idOrName}"`);
      return fromRow(row);
    },

    /** The ids of the tenants named by id or name (a credential's grant), in the order given. */
    async resolveIds(idsOrNames: readonly string[]): Promise<string[]> {
      return Promise.all(idsOrNames.map(async (ref) => (await this.resolve(ref)).id));
    },

    /**
     * Sets (or with null, removes) the tenant's own rate limit. Gateways apply it once their
     * cached verification of a key of the tenant expires (API_KEY_CACHE_SECONDS).
     */
    async setRateLimit(tenantId: string, limit: TenantRateLimit | null): Promise<Tenant> {
      if (
        limit !== null &&
        !(Number.isInteger(limit.perSecond) && limit.perSecond > 0 && Number.isInteger(limit.burst) && limit.burst >= limit.perSecond)
      )
        throw invalidValue("a rate limit needs a whole per-second rate of at least 1 and a burst at least as large");
      const updated = await writeTransaction(db, undefined, (trx) =>
        trx<TenantRow>("tenants")
          .where({ id: tenantId })
          .update({ rate_limit_per_second: limit?.perSecond ?? null, rate_limit_burst: limit?.burst ?? null }),
      );
      if (updated === 0) throw notFound(`tenant "${tenantId}"`);
      return this.resolve(tenantId);
    },
    /**
     * Suspends a tenant: its API keys are refused (401 saying so) once gateways' cached
     * verifications expire (API_KEY_CACHE_SECONDS); its data, keys and activity stay. Suspending a
     * suspended tenant keeps its first suspension time.
     */
    async suspend(tenantId: string): Promise<Tenant> {
      const updated = await writeTransaction(db, undefined, (trx) =>
        trx<TenantRow>("tenants")
          .where({ id: tenantId })
          .update({ suspended_at: trx.raw("coalesce(??, ?)", ["suspended_at", nowIso()]) as unknown as string }),
      );
      if (updated === 0) throw notFound(`tenant "${tenantId}"`);
      return this.resolve(tenantId);
    },

    /** Ends a suspension: the tenant's live keys work again (within the same cache delay). */
    async resume(tenantId: string): Promise<Tenant> {
      const updated = await writeTransaction(db, undefined, (trx) =>
        trx<TenantRow>("tenants").where({ id: tenantId }).update({ suspended_at: null }),
      );
      if (updated === 0) throw notFound(`tenant "${tenantId}"`);
      return this.resolve(tenantId);
    },

    /**
     * Counts the tenant's users and groups from their rows and keeps those counts on its row:
     * the repair for counts that drifted from the rows (rows edited by hand, or a directory older
     * than migration 0028 still writing after it). It runs as a write holding the tenant's row
     * from before the count until its commit (SQLite's writer lock; PostgreSQL's FOR UPDATE), so a
     * concurrent write of the tenant either committed before the count and is in it, or moves the
     * recounted figure after the commit: none is lost or counted twice. In a group commit the writes
     * before it in the group have their rows in the count but move the counts only at the group's
     * end (claimAtCommit), so the recount allows for them (pendingCountsOf).
     */
    async recountResources(tenantId: string): Promise<ResourceRecount> {
      return writeTransaction(db, undefined, async (trx) => {
        const read = trx("tenants").where({ id: tenantId }).first("user_count", "group_count");
        if (dialectOf(db) === "postgres") read.forUpdate();
        const kept = (await read) as { user_count: number | string; group_count: number | string } | undefined;
        if (kept === undefined) throw notFound(`tenant "${tenantId}"`);
        const rowsOf = async (table: "users" | "groups") =>
          Number((await trx(table).where({ tenant_id: tenantId }).count({ n: "*" }).first())?.n ?? 0);
        const users = await rowsOf("users");
        const groups = await rowsOf("groups");
        // In a group commit, the writes before this one hold their counts' moves to the group's
        // end while their rows are already here: the row's counts are set short by those moves, and
        // kept is what the counts will be once those writes are counted.
        const pending = pendingCountsOf(trx, tenantId);
        await trx("tenants")
          .where({ id: tenantId })
          .update({ user_count: users - pending.users, group_count: groups - pending.groups });
        return {
          users: { kept: Number(kept.user_count) + pending.users, counted: users },
          groups: { kept: Number(kept.group_count) + pending.groups, counted: groups },
        };
      });
    },

    async count(): Promise<number> {
      const [result] = await db("tenants").count({ n: "*" });
      return Number(result?.n ?? 0);
    },
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;
