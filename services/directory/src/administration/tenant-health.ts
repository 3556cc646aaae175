import type { Knex } from "knex";
import { activityInstant } from "../activity/activity-row.js";

/** A tenant's health at a glance (TenantHealth in the contract), as the store answers it. */
export interface TenantHealthRow {
  tenantId: string;
  /** The started_at of its latest activity entry (activityInstant form); null before its first. */
  lastRequestAt: string | null;
  /** The identity provider of that entry as stored ("okta", "entra", "other" or ""). */
  lastIdentityProvider: string;
  requests24h: number;
  failures24h: number;
  userCount: number;
  groupCount: number;
  liveApiKeyCount: number;
  /** The tenant's last_change_seq (decimal text: it is a bigint on PostgreSQL). */
  lastChangeSeq: string;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The health of every tenant, or of one: one statement, a row per tenant, whose columns are the
 * tenant's own or correlated subqueries. Each subquery is an index seek or range of one tenant
 * (every index starts with tenant_id): the latest entry backwards on activity_entries_started_index,
 * the 24 h counts as ranges of that index and of activity_entries_status_index (4xx and 5xx:
 * status_class >= 4). The users and groups are not counted: the tenant's row keeps their numbers
 * (recordChanges), as counting a tenant of 1,000,000 users took 150–250 ms. Grouping whole tables
 * instead would read every retained activity entry of every tenant at each listing; this reads the
 * last day's entries only, and the console's tenant list is one round trip however many tenants
 * there are.
 */
export async function readTenantHealth(db: Knex, options: HealthOptions = {}): Promise<Map<string, TenantHealthRow>> {
  const rows: Array<Record<string, string | number | null>> = await tenantHealthQuery(db, options);
  return new Map(
    rows.map((row) => {
      const tenantId = String(row.id);
      return [
        tenantId,
        {
          tenantId,
          lastRequestAt: row.last_request_at === null ? null : String(row.last_request_at),
          lastIdentityProvider: String(row.last_identity_provider ?? ""),
          // PostgreSQL's count is a bigint, which its driver returns as text.
          requests24h: Number(row.requests_24h),
          failures24h: Number(row.failures_24h),
          userCount: Number(row.user_count),
          groupCount: Number(row.group_count),
          liveApiKeyCount: Number(row.live_api_key_count),
          lastChangeSeq: String(row.last_change_seq),
        },
      ];
    }),
  );
}

interface HealthOptions {
  /** One tenant's health; default every tenant's. */
  tenantId?: string;
  /** The instant the 24 hours end at, in epoch ms; default now. */
  now?: number;
}

/** The statement readTenantHealth runs (exported so its plan can be checked on every store). */
export function tenantHealthQuery(db: Knex, options: HealthOptions = {}): Knex.QueryBuilder {
  const since = activityInstant((options.now ?? Date.now()) - dayMs);
  const latest = (column: string) =>
    db("activity_entries as a")
      .select(`a.${column}`)
      .whereRaw("a.tenant_id = t.id")
      .orderBy([
        { column: "a.started_at", order: "desc" },
        { column: "a.seq", order: "desc" },
      ])
      .limit(1);
  const count = (table: string, narrow: (query: Knex.QueryBuilder) => Knex.QueryBuilder = (query) => query) =>
    narrow(db(`${table} as c`).count("*").whereRaw("c.tenant_id = t.id"));
  const query = db("tenants as t").select(
    "t.id",
    "t.last_change_seq",
    latest("started_at").as("last_request_at"),
    latest("identity_provider").as("last_identity_provider"),
    count("activity_entries", (q) => q.where("c.started_at", ">=", since)).as("requests_24h"),
    count("activity_entries", (q) => q.where("c.status_class", ">=", 4).andWhere("c.started_at", ">=", since)).as("failures_24h"),
    "t.user_count",
    "t.group_count",
    count("api_keys", (q) => q.whereNull("c.revoked_at")).as("live_api_key_count"),
  );
  if (options.tenantId !== undefined) query.where("t.id", options.tenantId);
  return query;
}
