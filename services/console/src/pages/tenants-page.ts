import type { TenantSummary } from "@scimgw/proto";
import { html, type Html } from "../html/html.js";
import { csrfField, notice } from "../html/layout.js";
import { identityProviderName, timeOf } from "../html/format.js";

/** The share of failed requests, as people read it. */
export function errorRate(requests: number, failures: number): string {
  if (requests === 0) return "—";
  const percent = (failures / requests) * 100;
  return `${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)}%`;
}

/** Every tenant with its health at a glance, and the form that creates one. */
export function tenantsBody(tenants: TenantSummary[], csrfToken: string, problem?: string): Html {
  const rows = tenants.map(({ tenant, health }) => {
    if (tenant === undefined) return html``;
    const requests = health?.requests24h ?? 0;
    const failures = health?.failures24h ?? 0;
    return html`<tr>
  <th scope="row"><a href="/tenants/${tenant.id}">${tenant.name}</a></th>
  <td>${tenant.suspendedAt === undefined ? html`<span class="badge ok">active</span>` : html`<span class="badge bad">suspended</span>`}</td>
  <td>${timeOf(health?.lastRequestAt)}${health?.lastRequestAt === undefined ? "" : html` <span class="muted">${identityProviderName(health.lastIdentityProvider)}</span>`}</td>
  <td class="num">${requests}</td>
  <td class="num ${failures > 0 ? "warn-text" : ""}">${errorRate(requests, failures)}</td>
  <td class="num">${health?.userCount ?? 0n}</td>
  <td class="num">${health?.groupCount ?? 0n}</td>
  <td class="num">${health?.liveApiKeyCount ?? 0}</td>
</tr>`;
  });
  return html`${problem === undefined ? "" : notice("error", problem)}
<section aria-labelledby="tenants-heading">
<h2 id="tenants-heading">Health, last 24 hours</h2>
${
  tenants.length === 0
    ? html`<p>No tenants yet. Create the first one below.</p>`
    : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Last request</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Users</th><th scope="col" class="num">Groups</th><th scope="col" class="num">Keys</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}
</section>
<section aria-labelledby="create-heading" class="card">
<h2 id="create-heading">Create a tenant</h2>
<form method="post" action="/tenants" class="row">
  ${csrfField(csrfToken)}
  <label for="tenant-name">Name</label>
  <input id="tenant-name" name="name" required maxlength="200" placeholder="acme">
  <button type="submit">Create tenant</button>
</form>
<p class="muted">One tenant per customer (per identity-provider app). Then issue it a key, or give its IT admin a setup link.</p>
</section>`;
}
