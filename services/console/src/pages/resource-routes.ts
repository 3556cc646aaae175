import Router from "@koa/router";
import { extendedResourceTypes, groupFromProto, isResourceId, userFromProto } from "@scimgw/scim-proto";
import type { ConsoleContext, OperatorState } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { explainRpcError } from "../errors/explain-rpc-error.js";
import { html, type Html } from "../html/html.js";
import { jsonView } from "../html/json-view.js";
import { notice } from "../html/layout.js";
import { timeOf } from "../html/format.js";
import { activityTable } from "./activity-table.js";
import { parseConsoleListQuery } from "./list-query.js";
import { sendPage, type OperatorContext } from "./render.js";
import { tenantTabs } from "./tenant-page.js";
import { tenantIdOf } from "./tenant-routes.js";

function filterForm(action: string, filterText: string, example: string): Html {
  return html`<form method="get" action="${action}" class="row card" role="search">
  <label for="filter">SCIM filter</label>
  <input id="filter" name="filter" value="${filterText}" placeholder="${example}" class="wide">
  <button type="submit">Filter</button>
</form>`;
}

function pager(action: string, filterText: string, startIndex: number, count: number, total: number): Html {
  const link = (start: number) =>
    `${action}?${new URLSearchParams({ ...(filterText ? { filter: filterText } : {}), startIndex: String(start) })}`;
  const last = Math.min(total, startIndex + count - 1);
  return html`<nav aria-label="Pages" class="pager">
  <span>${total === 0 ? "None" : `${startIndex}–${last} of ${total}`}</span>
  ${startIndex > 1 ? html`<a href="${link(Math.max(1, startIndex - count))}">Previous</a>` : ""}
  ${last < total ? html`<a href="${link(startIndex + count)}">Next</a>` : ""}
</nav>`;
}

/** A directory refusal of the filter (INVALID_ARGUMENT) is the operator's to fix: shown, like the parser's. */
async function listOrProblem<T>(work: () => Promise<T>): Promise<T | { problem: string }> {
  try {
    return await work();
  } catch (error) {
    const explained = explainRpcError(error);
    if (explained.status === 400) return { problem: explained.message };
    throw error;
  }
}

/** Users and groups with the SCIM filter box and paging, and a user's page. */
export function resourceRoutes(context: ConsoleContext) {
  const { directory } = context;
  const router = new Router<OperatorState>();

  /** The tenant's User and Group types with its extensions, so the filter box knows their attributes (one read call). */
  async function resourceTypesOf(tenantId: string) {
    return extendedResourceTypes((await directory.schemas.listSchemaExtensions({ tenantId })).extensions);
  }

  async function tenantName(tenantId: string): Promise<string> {
    const { tenant } = await directory.tenants.getTenant({ tenantId });
    return tenant?.tenant?.name ?? tenantId;
  }

  router.get("/tenants/:tenantId/users", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const action = `/tenants/${tenantId}/users`;
    const parsed = parseConsoleListQuery(ctx, (await resourceTypesOf(tenantId)).user);
    const name = await tenantName(tenantId);
    const trail = [
      { href: "/tenants", label: "Tenants" },
      { href: `/tenants/${tenantId}`, label: name },
    ];
    const form = filterForm(action, parsed.filterText, 'userName sw "ada" and active eq true');
    const result = "problem" in parsed ? parsed : await listOrProblem(() => directory.users.listUsers({ tenantId, ...parsed.request }));
    if ("problem" in result || "problem" in parsed) {
      ctx.status = 400;
      sendPage(
        ctx,
        `Users of ${name}`,
        html`${tenantTabs(tenantId, "/users")}${form}${notice("error", "problem" in result ? result.problem : "")}`,
        trail,
      );
      return;
    }
    const rows = result.users.map((user) => {
      const email = user.emails.find((candidate) => candidate.primary)?.value ?? user.emails[0]?.value ?? "";
      return html`<tr>
  <th scope="row"><a href="/tenants/${tenantId}/users/${user.id}">${user.userName}</a></th>
  <td>${user.displayName ?? ""}</td>
  <td>${email}</td>
  <td>${user.active === false ? html`<span class="badge warn">deactivated</span>` : html`<span class="badge ok">active</span>`}</td>
  <td>${user.externalId ?? ""}</td>
  <td>${timeOf(user.meta?.lastModified)}</td>
</tr>`;
    });
    sendPage(
      ctx,
      `Users of ${name}`,
      html`${tenantTabs(tenantId, "/users")}${form}
<div class="table-wrap"><table>
<thead><tr><th scope="col">userName</th><th scope="col">Display name</th><th scope="col">Email</th><th scope="col">Status</th><th scope="col">externalId</th><th scope="col">Last modified</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${pager(action, parsed.filterText, parsed.query.startIndex, parsed.query.count, Number(result.totalResults))}`,
      trail,
    );
  });

  router.get("/tenants/:tenantId/users/:userId", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const id = ctx.params.userId ?? "";
    if (!isResourceId(id)) throw new ConsoleError(404, "There is no such user.");
    const [name, { user }, { entries }] = await Promise.all([
      tenantName(tenantId),
      directory.users.getUser({ tenantId, id }),
      directory.activity.listActivity({ tenantId, resourceId: id, pageSize: 20 }),
    ]);
    if (user === undefined) throw new ConsoleError(404, "There is no such user.");
    const resource = userFromProto(user) as Record<string, unknown>;
    const { groups, entitlements, roles, meta, schemas: _schemas, ...attributes } = resource;
    const listOf = (value: unknown) => (Array.isArray(value) ? value : []);
    sendPage(
      ctx,
      user.userName,
      html`${tenantTabs(tenantId, "/users")}
<section aria-labelledby="attributes-heading"><h2 id="attributes-heading">Attributes</h2>${jsonView(attributes)}
<p class="muted">Created ${timeOf(user.meta?.created)}, last modified ${timeOf(user.meta?.lastModified)}.</p></section>
<section aria-labelledby="groups-heading"><h2 id="groups-heading">Groups</h2>${
        listOf(groups).length === 0
          ? html`<p class="muted">In no group.</p>`
          : html`<ul>${listOf(groups).map((group: { display?: string; value?: string; type?: string }) => html`<li>${group.display ?? group.value ?? ""} <span class="muted">(${group.type ?? "direct"})</span></li>`)}</ul>`
      }</section>
${listOf(entitlements).length > 0 ? html`<section aria-labelledby="entitlements-heading"><h2 id="entitlements-heading">Entitlements</h2>${jsonView(entitlements)}</section>` : ""}
${listOf(roles).length > 0 ? html`<section aria-labelledby="roles-heading"><h2 id="roles-heading">Roles</h2>${jsonView(roles)}</section>` : ""}
<section aria-labelledby="activity-heading"><h2 id="activity-heading">Its activity</h2>${activityTable(entries)}
<p><a href="/tenants/${tenantId}/activity?resource=${id}">All of its activity</a></p></section>
${meta === undefined ? "" : ""}`,
      [
        { href: "/tenants", label: "Tenants" },
        { href: `/tenants/${tenantId}`, label: name },
        { href: `/tenants/${tenantId}/users`, label: "Users" },
      ],
    );
  });

  router.get("/tenants/:tenantId/groups", async (ctx: OperatorContext) => {
    const tenantId = tenantIdOf(ctx);
    const action = `/tenants/${tenantId}/groups`;
    const parsed = parseConsoleListQuery(ctx, (await resourceTypesOf(tenantId)).group);
    const name = await tenantName(tenantId);
    const trail = [
      { href: "/tenants", label: "Tenants" },
      { href: `/tenants/${tenantId}`, label: name },
    ];
    const form = filterForm(action, parsed.filterText, 'displayName sw "eng"');
    const result =
      "problem" in parsed
        ? parsed
        : await listOrProblem(() => directory.groups.listGroups({ tenantId, ...parsed.request, includeTotalResults: true }));
    if ("problem" in result || "problem" in parsed) {
      ctx.status = 400;
      sendPage(
        ctx,
        `Groups of ${name}`,
        html`${tenantTabs(tenantId, "/groups")}${form}${notice("error", "problem" in result ? result.problem : "")}`,
        trail,
      );
      return;
    }
    const rows = result.groups.map((group) => {
      const resource = groupFromProto(group) as { displayName?: string; externalId?: string };
      return html`<tr><th scope="row">${resource.displayName ?? ""}</th><td>${resource.externalId ?? ""}</td><td><code>${group.id}</code></td><td>${timeOf(group.meta?.lastModified)}</td></tr>`;
    });
    sendPage(
      ctx,
      `Groups of ${name}`,
      html`${tenantTabs(tenantId, "/groups")}${form}
<div class="table-wrap"><table>
<thead><tr><th scope="col">displayName</th><th scope="col">externalId</th><th scope="col">id</th><th scope="col">Last modified</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${pager(action, parsed.filterText, parsed.query.startIndex, parsed.query.count, Number(result.totalResults))}`,
      trail,
    );
  });

  return router;
}
