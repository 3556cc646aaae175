import { setTimeout as sleep } from "node:timers/promises";
import { InvalidArgumentError, type Command } from "commander";
import { activityInstant, type ActivityRow } from "../activity/activity-row.js";
import { createActivityStore, type ActivityFilter } from "../activity/activity-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { positiveInteger } from "./positive-integer.js";
import { printable, renderJson } from "./render-output.js";

/** How often --follow looks for new entries (any replica or gateway may have recorded them). */
const followEveryMs = 1000;
/** Entries read per query while following. */
const followBatch = 500;

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** --since / --until: a duration back from now (90s, 30m, 1h, 7d) or an ISO-8601 time. */
export function parseInstant(value: string, now = Date.now()): string {
  const duration = /^(\d{1,7})([smhd])$/.exec(value);
  if (duration) return activityInstant(now - Number(duration[1]) * (durationUnits[duration[2] ?? "s"] ?? 1000));
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw new InvalidArgumentError("must be a duration back from now (30m, 1h, 7d) or an ISO-8601 time (2026-12-01T09:00:00Z)");
  return activityInstant(time);
}

/** --status: a class (2xx, 3xx, 4xx, 5xx) or one status (409). */
export function parseStatus(value: string): { statusClass: number } | { status: number } {
  const statusClass = /^([2-5])xx$/i.exec(value);
  if (statusClass) return { statusClass: Number(statusClass[1]) };
  if (/^[1-5]\d\d$/.test(value)) return { status: Number(value) };
  throw new InvalidArgumentError("must be a status class (2xx, 3xx, 4xx, 5xx) or a status (409)");
}

interface ActivityDiffJson {
  attributes?: Array<{ attribute: string; oldValue?: unknown; newValue?: unknown }>;
  membersAdded?: number;
  membersRemoved?: number;
  addedMemberIds?: string[];
  removedMemberIds?: string[];
}

/** An entry as `activity --json` prints it (and `users show --json` under `activity`). */
export function activitySummary(row: ActivityRow) {
  return {
    seq: Number(row.seq),
    time: row.started_at,
    requestId: row.request_id,
    keyId: row.key_id,
    keyLabel: row.key_label,
    idp: row.identity_provider,
    userAgent: row.user_agent,
    method: row.method,
    path: row.path,
    query: row.query,
    resourceType: row.resource_type || null,
    resourceId: row.resource_id || null,
    status: Number(row.status),
    scimType: row.scim_type || null,
    detail: row.detail || null,
    latencyMs: Number(row.latency_ms),
    diff: row.diff === null ? null : (JSON.parse(row.diff) as ActivityDiffJson),
  };
}

/** What a write changed, in a few words: "changed active, name; +3 members". */
function describeDiff(diff: ActivityDiffJson | null): string {
  if (diff === null) return "";
  const parts: string[] = [];
  const names = (diff.attributes ?? []).map((change) => change.attribute);
  if (names.length > 0) parts.push(`changed ${names.join(", ")}`);
  if (diff.membersAdded) parts.push(`+${diff.membersAdded} member(s)`);
  if (diff.membersRemoved) parts.push(`-${diff.membersRemoved} member(s)`);
  return parts.length === 0 ? "no change" : parts.join("; ");
}

/** One entry as a line of text: time, status, request, who sent it, and what happened. */
export function activityLine(row: ActivityRow): string {
  const entry = activitySummary(row);
  const outcome = entry.status >= 400 ? [entry.scimType, entry.detail].filter(Boolean).join(": ") : describeDiff(entry.diff);
  const query = entry.query === "" ? "" : `?${entry.query}`;
  return `${printable(
    [
      entry.time,
      String(entry.status),
      `${entry.method} ${entry.path}${query}`,
      `${entry.idp || "-"}/${entry.keyLabel || entry.keyId}`,
      `${entry.latencyMs.toFixed(1)}ms`,
      `req ${entry.requestId}`,
      outcome,
    ]
      .filter(Boolean)
      .join("  "),
  )}\n`;
}

export interface ActivityOptions {
  since?: string;
  until?: string;
  status?: { statusClass: number } | { status: number };
  resource?: string;
  key?: string;
  limit?: number;
  follow?: boolean;
  json?: boolean;
}

/**
 * Prints a tenant's latest entries, oldest of them first (as a log reads), and with --follow keeps
 * printing new ones as they are recorded until interrupted. With --json: an array, or with
 * --follow one JSON object per line.
 */
export async function showActivity({ db, out }: AdminContext, tenantRef: string, options: ActivityOptions): Promise<void> {
  if (options.follow && options.until !== undefined) throw new InvalidArgumentError("--follow shows new entries: it takes no --until");
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const store = createActivityStore(db);
  const filter: ActivityFilter = {
    tenantId: tenant.id,
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.status ?? {}),
    ...(options.resource === undefined ? {} : { resourceId: options.resource }),
    ...(options.key === undefined ? {} : { keyId: options.key }),
  };
  // Read first: entries recorded while the page is read come after it, and the follower sees them.
  let lastSeq = (await store.latestSeq(tenant.id)) ?? 0n;
  const { rows } = await store.listLatestFirst(filter, options.limit ?? 50);
  const latest = rows.reverse();
  const print = (row: ActivityRow) => out.write(options.json ? `${JSON.stringify(activitySummary(row))}\n` : activityLine(row));
  if (!options.follow) {
    if (options.json) out.write(renderJson(latest.map(activitySummary)));
    else if (latest.length === 0) out.write(`No activity for tenant "${printable(tenant.name)}" matches.\n`);
    else for (const row of latest) print(row);
    return;
  }
  for (const row of latest) print(row);
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    while (!stopped.signal.aborted) {
      // Every entry up to the latest sequence number is committed: the cursor can pass the ones
      // the filter leaves out, and the next query starts after them.
      const upTo = (await store.latestSeq(tenant.id)) ?? lastSeq;
      const recorded = await store.listRecordedAfter(filter, lastSeq, followBatch, upTo);
      for (const row of recorded) print(row);
      if (recorded.length === followBatch) {
        lastSeq = BigInt(recorded[recorded.length - 1]?.seq ?? lastSeq);
        continue;
      }
      lastSeq = upTo;
      await sleep(followEveryMs, undefined, { signal: stopped.signal }).catch(() => {});
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function addActivityCommand(program: Command, context: AdminContext): void {
  program
    .command("activity <tenant>")
    .description("what the tenant's identity providers sent and what they were answered, latest last")
    .option("--since <time>", "entries since a time: a duration back from now (30m, 1h, 7d) or ISO-8601", (value) => parseInstant(value))
    .option("--until <time>", "entries before a time, as --since", (value) => parseInstant(value))
    .option("--status <status>", "entries with a status class (2xx, 4xx, 5xx) or status (409)", parseStatus)
    .option("--resource <id>", "entries about one user or group id")
    .option("--key <key id>", "entries of requests made with one API key (its id, from `keys list`)")
    .option("--limit <n>", "show the latest n entries (default 50)", positiveInteger)
    .option("--follow", "keep printing new entries as they are recorded, until interrupted")
    .option("--json", "print JSON (with --follow: one object per line)")
    .action((tenant: string, options: ActivityOptions) => showActivity(context, tenant, options));
}
