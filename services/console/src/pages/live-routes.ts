import Router from "@koa/router";
import type { Context } from "koa";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { RpcError } from "@scimgw/grpc";
import { ChangeKind, ErrorReason, StatusClass, type ActivityEntry, type ChangeEvent } from "@scimgw/proto";
import { isResourceId } from "@scimgw/scim-proto";
import type { ConsoleContext, OperatorState } from "../context/console-context.js";
import { html } from "../html/html.js";
import { notice } from "../html/layout.js";
import { identityProviderName } from "../html/format.js";
import { sessionTokenOf } from "../http/operator-session.js";
import { openEventStream, pause, type EventStream } from "../live/event-stream.js";
import { followLog } from "../live/follow-log.js";
import { activityTable } from "./activity-table.js";
import { changedResource } from "./changed-resource.js";
import { sendPage, type OperatorContext } from "./render.js";
import { tenantTabs } from "./tenant-page.js";
import { tenantIdOf } from "./tenant-routes.js";

/** The filters of ListActivityRequest that the page offers. */
interface ActivityFilters {
  since?: Timestamp;
  until?: Timestamp;
  statusClass?: StatusClass;
  status?: number;
  resourceId?: string;
  keyId?: string;
}

interface ActivityForm {
  status: string;
  resource: string;
  key: string;
  since: string;
  until: string;
}

const statusClasses: Record<string, StatusClass> = {
  "2xx": StatusClass.SUCCESS,
  "3xx": StatusClass.REDIRECTION,
  "4xx": StatusClass.CLIENT_ERROR,
  "5xx": StatusClass.SERVER_ERROR,
};

/** The activity filters of a query string; values that are not filters are ignored (and said so). */
export function activityFiltersOf(query: Context["query"]): { filters: ActivityFilters; form: ActivityForm; problems: string[] } {
  const value = (name: string) => (typeof query[name] === "string" ? (query[name] as string).trim() : "");
  const form: ActivityForm = {
    status: value("status"),
    resource: value("resource"),
    key: value("key"),
    since: value("since"),
    until: value("until"),
  };
  const filters: ActivityFilters = {};
  const problems: string[] = [];
  const statusClass = statusClasses[form.status];
  if (statusClass !== undefined) filters.statusClass = statusClass;
  else if (/^[1-5]\d\d$/.test(form.status)) filters.status = Number(form.status);
  else if (form.status !== "") problems.push("Status is a class (2xx … 5xx) or one status (e.g. 409).");
  if (form.resource !== "") {
    if (isResourceId(form.resource)) filters.resourceId = form.resource;
    else problems.push("Resource is a user's or group's id.");
  }
  if (form.key !== "") {
    if (/^[A-Za-z0-9_-]{1,128}$/.test(form.key)) filters.keyId = form.key;
    else problems.push("Key is an API key's id.");
  }
  for (const bound of ["since", "until"] as const) {
    if (form[bound] === "") continue;
    // datetime-local sends no zone: the console's times are all UTC.
    const date = new Date(/Z$|[+-]\d\d:\d\d$/.test(form[bound]) ? form[bound] : `${form[bound]}Z`);
    if (Number.isNaN(date.getTime())) problems.push(`${bound === "since" ? "From" : "Until"} is a date and time (UTC).`);
    else filters[bound] = timestampFromDate(date);
  }
  return { filters, form, problems };
}

/** An entry as the live tail sends it to the browser: plain text cells. */
function liveRow(entry: ActivityEntry) {
  const request = entry.request;
  const changed = entry.diff?.attributes.map((change) => change.attribute).join(", ") ?? "";
  return {
    seq: entry.seq.toString(),
    time:
      request?.startedAt === undefined
        ? ""
        : timestampDate(request.startedAt)
            .toISOString()
            .replace("T", " ")
            .replace(/\.\d+Z$/, "Z"),
    status: entry.status,
    request: `${request?.method ?? ""} ${request?.path ?? ""}${request?.query ? `?${request.query}` : ""}`,
    idp: `${identityProviderName(request?.identityProvider ?? 0)}${request?.keyLabel ? ` / ${request.keyLabel}` : ""}`,
    latency: `${entry.latencyMs.toFixed(1)} ms`,
    outcome:
      entry.status >= 400
        ? [entry.scimType, entry.detail].filter((part) => part !== "").join(": ")
        : changed === ""
          ? ""
          : `changed ${changed}`,
  };
}

const changeKinds: Record<number, string> = {
  [ChangeKind.CREATED]: "created",
  [ChangeKind.UPDATED]: "updated",
  [ChangeKind.DEACTIVATED]: "deactivated",
  [ChangeKind.REACTIVATED]: "reactivated",
  [ChangeKind.DELETED]: "deleted",
  [ChangeKind.RENAMED]: "renamed",
  [ChangeKind.MEMBERS_ADDED]: "members added",
  [ChangeKind.MEMBERS_REMOVED]: "members removed",
};

/** A sequence number from a query parameter or error metadata: decimal digits within int64, else undefined. */
function sequenceOf(value: unknown): bigint | undefined {
  const text = String(value ?? "");
  return /^\d{1,19}$/.test(text) ? BigInt(text) : undefined;
}

/** A change as the change feed page's rows show it. */
function changeRow(event: ChangeEvent) {
  return {
    seq: event.seq.toString(),
    time:
      event.occurredAt === undefined
        ? ""
        : timestampDate(event.occurredAt)
            .toISOString()
            .replace("T", " ")
            .replace(/\.\d+Z$/, "Z"),
    kind: changeKinds[event.kind] ?? "changed",
    resource: changedResource(event),
    attributes: event.memberIds.length > 0 ? `${event.memberIds.length} member(s)` : event.changedAttributes.join(", "),
  };
}

/**
 * Where a change feed view goes on when the changes after its start were pruned
 * (CHANGE_RETENTION_DAYS; the feed refuses such a start with CURSOR_EXPIRED): just before the
 * oldest change kept, or after the tenant's latest when none is kept. Undefined for any other failure.
 */
function resumeAfterPruned(error: unknown, latest: bigint): bigint | undefined {
  if (!(error instanceof RpcError) || error.reason !== ErrorReason.CURSOR_EXPIRED) return undefined;
  const oldest = sequenceOf(error.metadata.oldest_seq);
  return oldest === undefined ? latest : oldest - 1n;
}

/**
 * How many of a tenant's latest changes the change feed page replays before following new ones:
 * from the first change, a tenant after a large import would stream millions of rows into the
 * operator's browser before the one they came to see.
 */
const recentChanges = 100n;

/** The activity log with its filters and live tail, and the change feed. */
export function liveRoutes(context: ConsoleContext) {
  const { directory, pollMs, logger, publicUrl } = context;
  const router = new Router<OperatorState>();

  /** A live view ends as soon as its operator's session does: the session is asked again every few seconds. */
  function endWithSession(ctx: Context, stream: EventStream): void {
    const token = sessionTokenOf(ctx, publicUrl) ?? "";
    void (async () => {
      while (!stream.signal.aborted) {
        await pause(5000, stream.signal);
        if (stream.signal.aborted) return;
        const live = await directory.operators.getOperatorSession({ sessionToken: token }).then(
          () => true,
          () => false,
        );
        if (!live) {
          stream.send("ended", { message: "Your session has ended; sign in again." });
          stream.close();
        }
      }
    })();
  }

  router.get("/tenants/:tenantId/activity", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const { filters, form, problems } = activityFiltersOf(ctx.query);
    const [{ tenant }, page] = await Promise.all([
      directory.tenants.getTenant({ tenantId }),
      directory.activity.listActivity({ tenantId, ...filters, pageSize: 100 }),
    ]);
    const name = tenant?.tenant?.name ?? tenantId;
    const query = new URLSearchParams(Object.entries(form).filter(([, value]) => value !== ""));
    query.set("after", page.latestSeq.toString());
    const live = form.until === "" ? `/tenants/${tenantId}/activity/stream?${query}` : undefined;
    const option = (value: string, label: string) =>
      html`<option value="${value}"${form.status === value ? html` selected` : ""}>${label}</option>`;
    sendPage(
      ctx,
      `Activity of ${name}`,
      html`${tenantTabs(tenantId, "/activity")}
${problems.map((problem) => notice("error", problem))}
<form method="get" action="/tenants/${tenantId}/activity" class="filters card">
  <div><label for="status">Status</label><select id="status" name="status">${option("", "any")}${option("2xx", "2xx")}${option("4xx", "4xx")}${option("5xx", "5xx")}${
    form.status !== "" && !(form.status in statusClasses) ? option(form.status, form.status) : ""
  }</select></div>
  <div><label for="resource">Resource id</label><input id="resource" name="resource" value="${form.resource}"></div>
  <div><label for="key">API key id</label><input id="key" name="key" value="${form.key}"></div>
  <div><label for="since">From (UTC)</label><input id="since" name="since" type="datetime-local" value="${form.since}"></div>
  <div><label for="until">Until (UTC)</label><input id="until" name="until" type="datetime-local" value="${form.until}"></div>
  <div><button type="submit">Apply</button></div>
</form>
${live === undefined ? "" : html`<p class="live-state muted" role="status" aria-live="polite">Live: new requests appear at the top.</p>`}
${activityTable(page.entries, live)}`,
      [
        { href: "/tenants", label: "Tenants" },
        { href: `/tenants/${tenantId}`, label: name },
      ],
    );
  });

  router.get("/tenants/:tenantId/activity/stream", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const { filters } = activityFiltersOf(ctx.query);
    const after = sequenceOf(ctx.query.after);
    const start = after ?? (await directory.activity.listActivity({ tenantId, pageSize: 1 })).latestSeq;
    const stream = openEventStream(ctx);
    endWithSession(ctx, stream);
    void followLog(
      async (afterSeq, pageSize) => directory.activity.listActivity({ tenantId, ...filters, afterSeq, pageSize }),
      start,
      (entries) => {
        for (const entry of entries) stream.send("activity", liveRow(entry));
      },
      { pollMs, signal: stream.signal },
    ).then(
      () => stream.close(),
      (error: unknown) => {
        logger.warn({ err: error }, "following the activity log failed");
        stream.send("ended", { message: "The live view stopped; reload the page." });
        stream.close();
      },
    );
  });

  router.get("/tenants/:tenantId/changes", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const { tenant } = await directory.tenants.getTenant({ tenantId });
    const name = tenant?.tenant?.name ?? tenantId;
    const latest = tenant?.health?.lastChangeSeq ?? 0n;
    const after = sequenceOf(ctx.query.after) ?? (latest > recentChanges ? latest - recentChanges : 0n);
    sendPage(
      ctx,
      `Change feed of ${name}`,
      html`${tenantTabs(tenantId, "/changes")}
<p>Every committed change to the tenant's users and groups, in order, as internal services receive it (<code>WatchChanges</code>), live. The page opens on the latest ${String(recentChanges)}; start after an earlier change number to replay from there.</p>
<form method="get" action="/tenants/${tenantId}/changes" class="row card">
  <label for="after">Start after change number</label><input id="after" name="after" type="number" min="0" value="${after}">
  <button type="submit">Follow</button>
</form>
<p class="live-state muted" role="status" aria-live="polite">Connecting…</p>
<div class="table-wrap"><table>
<thead><tr><th scope="col" class="num">#</th><th scope="col">Time (UTC)</th><th scope="col">Change</th><th scope="col">Resource</th><th scope="col">Attributes</th></tr></thead>
<tbody data-live-changes="/tenants/${tenantId}/changes/stream?after=${after}"></tbody>
</table></div>`,
      [
        { href: "/tenants", label: "Tenants" },
        { href: `/tenants/${tenantId}`, label: name },
      ],
    );
  });

  router.get("/tenants/:tenantId/changes/stream", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const after = sequenceOf(ctx.query.after) ?? 0n;
    const { tenant } = await directory.tenants.getTenant({ tenantId });
    const stream = openEventStream(ctx);
    endWithSession(ctx, stream);
    void (async () => {
      let from = after;
      for (;;) {
        try {
          for await (const event of directory.watchChanges(tenantId, { after: from, signal: stream.signal }))
            stream.send("change", changeRow(event));
          return;
        } catch (error) {
          const resume = resumeAfterPruned(error, tenant?.health?.lastChangeSeq ?? 0n);
          // Only ever forward: the feed refusing the new start as well is a failure of its own.
          if (resume === undefined || resume <= from) throw error;
          stream.send("notice", {
            message: `Live from change ${resume + 1n}: the changes before it are no longer kept (CHANGE_RETENTION_DAYS).`,
          });
          from = resume;
        }
      }
    })().then(
      () => stream.close(),
      (error: unknown) => {
        logger.warn({ err: error }, "following the change feed failed");
        stream.send("ended", { message: "The change feed stopped; reload the page." });
        stream.close();
      },
    );
  });

  return router;
}
