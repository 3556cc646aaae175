import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { notFound, uniquenessViolation } from "../errors/directory-errors.js";

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

interface TenantRow {
  id: string;
  name: string;
  created_at: string;
}

const fromRow = (row: TenantRow): Tenant => ({ id: row.id, name: row.name, createdAt: row.created_at });

export function createTenantStore(db: Knex) {
  return {
    async create(name: string): Promise<Tenant> {
      const row: TenantRow = { id: randomUUID(), name, created_at: nowIso() };
      try {
        await db<TenantRow>("tenants").insert(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessViolation(`a tenant named "${name}" already exists`, "name");
        throw error;
      }
      return fromRow(row);
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

    async count(): Promise<number> {
      const [result] = await db("tenants").count({ n: "*" });
      return Number(result?.n ?? 0);
    },
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;
