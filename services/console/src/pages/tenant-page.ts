import type { ApiKey, SetupLink, TenantSummary } from "@scimgw/proto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { html, type Html } from "../html/html.js";
import { csrfField, notice } from "../html/layout.js";
import { identityProviderName, timeOf } from "../html/format.js";
import { errorRate } from "./tenants-page.js";

export interface TenantPageData {
  summary: TenantSummary;
  keys: ApiKey[];
  setupLinks: SetupLink[];
  csrfToken: string;
  /** Shown above everything: a secret shown once, or what went wrong. */
  banner?: Html;
  now: Date;
}

/** The tenant's sections, linked from its page's top. */
export function tenantTabs(tenantId: string, current: string): Html {
  const tabs = [
    ["", "Overview"],
    ["/users", "Users"],
    ["/groups", "Groups"],
    ["/activity", "Activity"],
    ["/changes", "Change feed"],
  ] as const;
  return html`<nav aria-label="Tenant" class="tabs"><ul>${tabs.map(
    ([suffix, label]) =>
      html`<li><a href="/tenants/${tenantId}${suffix}"${suffix === current ? html` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}

function linkStatus(link: SetupLink, now: Date): Html {
  if (link.revokedAt !== undefined) return html`<span class="badge bad">revoked</span>`;
  if (link.expiresAt !== undefined && timestampDate(link.expiresAt) <= now) return html`<span class="badge warn">expired</span>`;
  return html`<span class="badge ok">open</span>`;
}

/** A tenant: its health, keys, rate limit, suspension, name and setup links, each with its forms. */
export function tenantBody({ summary, keys, setupLinks, csrfToken, banner, now }: TenantPageData): Html {
  const tenant = summary.tenant;
  if (tenant === undefined) return html``;
  const health = summary.health;
  const base = `/tenants/${tenant.id}`;
  const suspended = tenant.suspendedAt !== undefined;
  const requests = health?.requests24h ?? 0;
  const failures = health?.failures24h ?? 0;
  const keyRows = keys.map(
    (key) => html`<tr>
  <th scope="row">${key.label}</th>
  <td><code>${key.id}</code></td>
  <td>${timeOf(key.createdAt)}</td>
  <td>${timeOf(key.lastUsedAt)}</td>
  <td>${
    key.revokedAt === undefined
      ? html`<form method="post" action="${base}/keys/${key.id}/revoke" class="inline">${csrfField(csrfToken)}<button type="submit" class="danger" aria-label="Revoke key ${key.label} (${key.id})">Revoke</button></form>`
      : html`revoked ${timeOf(key.revokedAt)}`
  }</td>
</tr>`,
  );
  const linkRows = setupLinks.map(
    (link) => html`<tr>
  <td><code>${link.id}</code></td>
  <td>${link.createdBy}</td>
  <td>${timeOf(link.createdAt)}</td>
  <td>${timeOf(link.expiresAt)}</td>
  <td>${linkStatus(link, now)}</td>
  <td>${
    link.revokedAt === undefined
      ? html`<form method="post" action="${base}/setup-links/${link.id}/revoke" class="inline">${csrfField(csrfToken)}<button type="submit" class="danger" aria-label="Revoke setup link ${link.id}">Revoke</button></form>`
      : ""
  }</td>
</tr>`,
  );
  return html`${tenantTabs(tenant.id, "")}
${banner ?? ""}
${suspended ? notice("error", html`This tenant is suspended since ${timeOf(tenant.suspendedAt)}: its API keys are refused (401).`) : ""}
<section aria-labelledby="health-heading">
<h2 id="health-heading">Health</h2>
<dl class="facts">
  <div><dt>Tenant id</dt><dd><code>${tenant.id}</code></dd></div>
  <div><dt>Last request</dt><dd>${timeOf(health?.lastRequestAt)}${health?.lastRequestAt === undefined ? "" : html` from ${identityProviderName(health.lastIdentityProvider)}`}</dd></div>
  <div><dt>Requests, 24 h</dt><dd>${requests}</dd></div>
  <div><dt>Error rate, 24 h</dt><dd>${errorRate(requests, failures)}</dd></div>
  <div><dt>Users</dt><dd>${health?.userCount ?? 0n}</dd></div>
  <div><dt>Groups</dt><dd>${health?.groupCount ?? 0n}</dd></div>
</dl>
</section>
<section aria-labelledby="keys-heading">
<h2 id="keys-heading">API keys</h2>
${
  keys.length === 0
    ? html`<p>No API keys: nothing can send SCIM requests to this tenant yet.</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Label</th><th scope="col">Key id</th><th scope="col">Issued</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${keyRows}</tbody></table></div>`
}
<form method="post" action="${base}/keys" class="row card">
  ${csrfField(csrfToken)}
  <label for="key-label">Label</label>
  <input id="key-label" name="label" required maxlength="64" placeholder="okta-prod">
  <button type="submit">Issue a key</button>
</form>
</section>
<section aria-labelledby="links-heading">
<h2 id="links-heading">Setup links</h2>
<p>A setup link lets the customer's IT admin connect Okta or Microsoft Entra ID to this tenant by themselves, and nothing else.</p>
${
  setupLinks.length === 0
    ? html`<p class="muted">No setup links yet.</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Link id</th><th scope="col">Created by</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${linkRows}</tbody></table></div>`
}
<form method="post" action="${base}/setup-links" class="row card">
  ${csrfField(csrfToken)}
  <label for="link-ttl">Valid for</label>
  <select id="link-ttl" name="ttl_days"><option value="1">1 day</option><option value="7" selected>7 days</option><option value="30">30 days</option></select>
  <button type="submit">Create a setup link</button>
</form>
</section>
<section aria-labelledby="limit-heading">
<h2 id="limit-heading">Rate limit</h2>
<p>${
    tenant.rateLimit === undefined
      ? "The gateways' defaults apply."
      : html`Own limit: <strong>${tenant.rateLimit.perSecond}</strong> requests per second, bursts of <strong>${tenant.rateLimit.burst}</strong>.`
  }</p>
<form method="post" action="${base}/rate-limit" class="row card">
  ${csrfField(csrfToken)}
  <label for="per-second">Per second</label>
  <input id="per-second" name="per_second" type="number" min="1" required value="${tenant.rateLimit?.perSecond ?? ""}">
  <label for="burst">Burst</label>
  <input id="burst" name="burst" type="number" min="1" required value="${tenant.rateLimit?.burst ?? ""}">
  <button type="submit">Set the limit</button>
</form>
${
  tenant.rateLimit === undefined
    ? ""
    : html`<form method="post" action="${base}/rate-limit" class="inline">${csrfField(csrfToken)}<input type="hidden" name="default" value="1"><button type="submit" class="secondary">Use the defaults</button></form>`
}
</section>
<section aria-labelledby="settings-heading">
<h2 id="settings-heading">Name and suspension</h2>
<form method="post" action="${base}/rename" class="row card">
  ${csrfField(csrfToken)}
  <label for="rename">Name</label>
  <input id="rename" name="name" required maxlength="200" value="${tenant.name}">
  <button type="submit">Rename</button>
</form>
<form method="post" action="${base}/${suspended ? "resume" : "suspend"}" class="inline">
  ${csrfField(csrfToken)}
  <button type="submit" class="${suspended ? "" : "danger"}">${suspended ? "Resume the tenant" : "Suspend the tenant"}</button>
</form>
<p class="muted">Suspending refuses the tenant's keys (401) and deletes nothing; resuming makes them work again.</p>
</section>`;
}
