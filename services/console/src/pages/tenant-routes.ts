import Router from "@koa/router";
import { isResourceId } from "@scimgw/scim-proto";
import type { ConsoleContext, OperatorState } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { explainRpcError } from "../errors/explain-rpc-error.js";
import { html } from "../html/html.js";
import { notice, shownOnce } from "../html/layout.js";
import { consoleOrigin } from "../http/same-origin.js";
import { formField, seeOther, sendPage, type OperatorContext } from "./render.js";
import { tenantBody } from "./tenant-page.js";
import { tenantsBody } from "./tenants-page.js";
import type { Html } from "../html/html.js";

/** Ids in paths are the directory's UUIDs; anything else is 404 without a directory call. */
export function tenantIdOf(ctx: OperatorContext): string {
  const id = ctx.params?.tenantId;
  if (typeof id !== "string" || !isResourceId(id)) throw new ConsoleError(404, "There is no such tenant.");
  return id;
}

const shortId = /^[A-Za-z0-9_-]{1,128}$/;

/** The tenants list and one tenant's page with every operator action on it. */
export function tenantRoutes(context: ConsoleContext) {
  const { directory } = context;
  const router = new Router<OperatorState>();

  async function renderTenants(ctx: OperatorContext, problem?: string): Promise<void> {
    const { tenants } = await directory.tenants.listTenants({});
    sendPage(ctx, "Tenants", tenantsBody(tenants, ctx.state.operator.csrfToken, problem));
  }

  /** The tenant's page, with a banner (a secret shown once, or a refusal of the form just sent). */
  async function renderTenant(ctx: OperatorContext, tenantId: string, banner?: Html): Promise<void> {
    const [{ tenant: summary }, { apiKeys }, { setupLinks }] = await Promise.all([
      directory.tenants.getTenant({ tenantId }),
      directory.apiKeys.listApiKeys({ tenantId, includeRevoked: true }),
      directory.setupLinks.listSetupLinks({ tenantId }),
    ]);
    if (summary?.tenant === undefined) throw new ConsoleError(404, "There is no such tenant.");
    const body = tenantBody({
      summary,
      keys: apiKeys,
      setupLinks,
      csrfToken: ctx.state.operator.csrfToken,
      now: new Date(),
      ...(banner ? { banner } : {}),
    });
    sendPage(ctx, summary.tenant.name, body, [{ href: "/tenants", label: "Tenants" }]);
  }

  /** Runs a change; a refusal the operator can fix is shown on the tenant's page, the rest goes to the error page. */
  async function change(ctx: OperatorContext, tenantId: string, work: () => Promise<Html | undefined>): Promise<void> {
    let banner: Html | undefined;
    try {
      banner = await work();
    } catch (error) {
      const explained = explainRpcError(error);
      if (explained.status !== 400 && explained.status !== 409) throw error;
      ctx.status = explained.status;
      await renderTenant(ctx, tenantId, notice("error", explained.message));
      return;
    }
    if (banner === undefined) seeOther(ctx, `/tenants/${tenantId}`);
    else await renderTenant(ctx, tenantId, banner);
  }

  router.get("/tenants", (ctx) => renderTenants(ctx));

  router.post("/tenants", async (ctx) => {
    try {
      const { tenant } = await directory.tenants.createTenant({ name: formField(ctx, "name") });
      seeOther(ctx, `/tenants/${tenant?.id ?? ""}`);
    } catch (error) {
      const explained = explainRpcError(error);
      if (explained.status !== 400 && explained.status !== 409) throw error;
      ctx.status = explained.status;
      await renderTenants(ctx, explained.message);
    }
  });

  router.get("/tenants/:tenantId", (ctx) => renderTenant(ctx, tenantIdOf(ctx)));

  router.post("/tenants/:tenantId/keys", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    await change(ctx, tenantId, async () => {
      const { key, apiKey } = await directory.apiKeys.issueApiKey({ tenantId, label: formField(ctx, "label").trim() });
      return shownOnce("new-key", `The new key "${apiKey?.label ?? ""}" (${apiKey?.id ?? ""}).`, key);
    });
  });

  router.post("/tenants/:tenantId/keys/:keyId/revoke", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    const keyId = ctx.params.keyId ?? "";
    if (!shortId.test(keyId)) throw new ConsoleError(404, "There is no such key.");
    await change(ctx, tenantId, async () => {
      await directory.apiKeys.revokeApiKey({ tenantId, keyId });
      return undefined;
    });
  });

  router.post("/tenants/:tenantId/rate-limit", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    const useDefaults = formField(ctx, "default") === "1";
    const perSecond = Number(formField(ctx, "per_second"));
    const burst = Number(formField(ctx, "burst"));
    if (
      !useDefaults &&
      !(Number.isInteger(perSecond) && Number.isInteger(burst) && perSecond >= 1 && burst >= 1 && burst < 2 ** 32 && perSecond < 2 ** 32)
    ) {
      ctx.status = 400;
      await renderTenant(
        ctx,
        tenantId,
        notice("error", "The rate limit takes whole numbers: requests per second (at least 1) and a burst at least as large."),
      );
      return;
    }
    await change(ctx, tenantId, async () => {
      await directory.tenants.setTenantRateLimit(useDefaults ? { tenantId } : { tenantId, rateLimit: { perSecond, burst } });
      return undefined;
    });
  });

  for (const action of ["suspend", "resume"] as const) {
    router.post(`/tenants/:tenantId/${action}`, async (ctx) => {
      const tenantId = tenantIdOf(ctx);
      await change(ctx, tenantId, async () => {
        await (action === "suspend" ? directory.tenants.suspendTenant({ tenantId }) : directory.tenants.resumeTenant({ tenantId }));
        return undefined;
      });
    });
  }

  router.post("/tenants/:tenantId/rename", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    await change(ctx, tenantId, async () => {
      await directory.tenants.renameTenant({ tenantId, name: formField(ctx, "name") });
      return undefined;
    });
  });

  router.post("/tenants/:tenantId/setup-links", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    const days = Number(formField(ctx, "ttl_days") || "7");
    if (![1, 7, 30].includes(days)) throw new ConsoleError(400, "A setup link is valid for 1, 7 or 30 days.");
    await change(ctx, tenantId, async () => {
      const { token } = await directory.setupLinks.createSetupLink({
        tenantId,
        ttlSeconds: days * 86_400,
        createdBy: ctx.state.operator.email,
      });
      const url = `${consoleOrigin(ctx, context.publicUrl)}/setup/${token}`;
      return html`${shownOnce("new-link", "The setup link, for the customer's IT admin.", url)}
<p class="muted">Send it over a channel you trust: whoever has it can issue this tenant's API keys until it expires or you revoke it.</p>`;
    });
  });

  router.post("/tenants/:tenantId/setup-links/:linkId/revoke", async (ctx) => {
    const tenantId = tenantIdOf(ctx);
    const setupLinkId = ctx.params.linkId ?? "";
    if (!shortId.test(setupLinkId)) throw new ConsoleError(404, "There is no such setup link.");
    await change(ctx, tenantId, async () => {
      await directory.setupLinks.revokeSetupLink({ tenantId, setupLinkId });
      return undefined;
    });
  });

  return router;
}
