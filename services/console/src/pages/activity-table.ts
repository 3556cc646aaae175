import type { ActivityEntry } from "@scimgw/proto";
import { html, type Html } from "../html/html.js";
import { identityProviderName, statusBadge, timeOf } from "../html/format.js";

/** One activity entry as a table row (the live tail builds the same cells in the browser). */
export function activityRow(entry: ActivityEntry): Html {
  const request = entry.request;
  const changed = entry.diff?.attributes.map((change) => change.attribute).join(", ") ?? "";
  const outcome =
    entry.status >= 400
      ? [entry.scimType, entry.detail].filter((part) => part !== "").join(": ")
      : changed === ""
        ? ""
        : `changed ${changed}`;
  return html`<tr>
  <td>${timeOf(request?.startedAt)}</td>
  <td>${statusBadge(entry.status)}</td>
  <td><code>${request?.method ?? ""} ${request?.path ?? ""}${request?.query ? `?${request.query}` : ""}</code></td>
  <td>${identityProviderName(request?.identityProvider ?? 0)}${request?.keyLabel ? html` / ${request.keyLabel}` : ""}</td>
  <td class="num">${entry.latencyMs.toFixed(1)} ms</td>
  <td>${outcome}</td>
</tr>`;
}

export function activityTable(entries: ActivityEntry[], liveUrl?: string): Html {
  return html`<div class="table-wrap"><table class="activity">
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Status</th><th scope="col">Request</th><th scope="col">IdP / key</th><th scope="col" class="num">Latency</th><th scope="col">Outcome</th></tr></thead>
<tbody${liveUrl === undefined ? "" : html` data-live-activity="${liveUrl}"`}>${entries.map(activityRow)}</tbody>
</table></div>
${entries.length === 0 ? html`<p class="muted empty-note">No requests recorded.</p>` : ""}`;
}
