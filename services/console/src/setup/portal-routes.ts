import Router from "@koa/router";
import type { Context } from "koa";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason, IdentityProvider } from "@scimgw/proto";
import type { ConsoleContext } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { documentOf } from "../html/html.js";
import { page, shownOnce } from "../html/layout.js";
import { callerOf, consumeOrRefuse, limiterOf } from "../http/limit-requests.js";
import { staleForm } from "../http/operator-session.js";
import { consoleOrigin, isSameOrigin } from "../http/same-origin.js";
import { openEventStream } from "../live/event-stream.js";
import { followLog } from "../live/follow-log.js";
import type { PortalIdp } from "./explain-activity.js";
import { chooseIdpBody, portalBody } from "./portal-page.js";
import { checklistOf, factsOf, portalRequestOf } from "./setup-facts.js";
import { stepsCompletedBy } from "./explain-activity.js";

/** A token as the directory issues them; anything else is unknown without a directory call. */
const tokenShape = /^[A-Za-z0-9_-]{16,256}$/;

/** The link's refusals as the IT admin sees them: what to do, nothing about the tenant. */
export function linkRefusal(error: unknown): ConsoleError | undefined {
  if (!(error instanceof RpcError) || error.code !== Code.UNAUTHENTICATED) return undefined;
  switch (error.reason) {
    case ErrorReason.SETUP_LINK_EXPIRED:
      return new ConsoleError(410, "This setup link has expired. Ask the person who sent it to you for a new one.");
    case ErrorReason.SETUP_LINK_REVOKED:
      return new ConsoleError(410, "This setup link was revoked. Ask the person who sent it to you for a new one.");
    case ErrorReason.UNKNOWN_SETUP_LINK:
      return unknownLink();
    default:
      return undefined;
  }
}

function unknownLink(): ConsoleError {
  return new ConsoleError(404, "This setup link is not valid. Check that it was copied whole, or ask for a new one.");
}

function tokenOf(ctx: Context): string {
  const token = ctx.params?.token;
  if (typeof token !== "string" || !tokenShape.test(token)) throw unknownLink();
  return token;
}

function idpOf(ctx: Context): PortalIdp {
  const idp = ctx.params?.idp;
  if (idp !== "okta" && idp !== "entra") throw new ConsoleError(404, "This page does not exist.");
  return idp;
}

/** Turns the directory's refusal of a link into its page. */
async function asLink<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw linkRefusal(error) ?? error;
  }
}

/**
 * The setup portal: no session, the link's token is the only authority, and the console passes
 * the directory nothing but that token (never a tenant id from the browser), so a link can reach
 * only its own tenant.
 */
export function portalRoutes(context: ConsoleContext) {
  const { directory, scimOrigin, pollMs, logger } = context;
  const router = new Router();
  const baseUrl = `${scimOrigin}/services/scim/v2`;
  const keysIssued = limiterOf(context.setupKeyLimit);

  function send(ctx: Context, title: string, body: ReturnType<typeof portalBody>): void {
    ctx.type = "html";
    ctx.body = documentOf(page({ title, body }));
  }

  async function renderGuide(ctx: Context, token: string, idp: PortalIdp, key?: string): Promise<void> {
    const opened = await asLink(directory.setupLinks.openSetupLink({ token }));
    const { entries, latestSeq } = await asLink(directory.setupLinks.listSetupActivity({ token, pageSize: 1000 }));
    const requests = entries.slice(0, 20).map((entry) => portalRequestOf(entry, idp));
    send(
      ctx,
      `Connect ${idp === "okta" ? "Okta" : "Microsoft Entra ID"}`,
      portalBody({
        tenantName: opened.tenantName,
        idp,
        baseUrl,
        keyAction: `/setup/${token}/${idp}/key`,
        eventsUrl: `/setup/${token}/${idp}/events?after=${latestSeq}`,
        checklist: checklistOf(entries, idp),
        requests,
        ...(key === undefined ? {} : { banner: shownOnce("new-key", "Your API key.", key) }),
      }),
    );
  }

  router.get("/setup/:token", async (ctx) => {
    const token = tokenOf(ctx);
    const opened = await asLink(directory.setupLinks.openSetupLink({ token }));
    send(ctx, "Connect your identity provider", chooseIdpBody(opened.tenantName, token));
  });

  router.get("/setup/:token/:idp", (ctx) => renderGuide(ctx, tokenOf(ctx), idpOf(ctx)));

  router.post("/setup/:token/:idp/key", async (ctx) => {
    // The token is in the URL, so a foreign page that learnt it could post here: only the
    // portal's own page may.
    if (!isSameOrigin(ctx, consoleOrigin(ctx, context.publicUrl))) throw new ConsoleError(403, staleForm);
    const token = tokenOf(ctx);
    const idp = idpOf(ctx);
    await consumeOrRefuse(ctx, keysIssued, callerOf(ctx, context.publicUrl), "This setup link has issued as many keys as it may for now.");
    const { key } = await asLink(
      directory.setupLinks.issueSetupApiKey({ token, identityProvider: idp === "okta" ? IdentityProvider.OKTA : IdentityProvider.ENTRA }),
    );
    await renderGuide(ctx, token, idp, key);
  });

  router.get("/setup/:token/:idp/events", async (ctx) => {
    const token = tokenOf(ctx);
    const idp = idpOf(ctx);
    const after = /^\d{1,19}$/.test(String(ctx.query.after ?? "")) ? BigInt(String(ctx.query.after)) : undefined;
    // Refused links get their page's status, before the stream starts.
    const first = await asLink(directory.setupLinks.listSetupActivity({ token, pageSize: 1 }));
    const stream = openEventStream(ctx);
    void followLog(
      async (afterSeq, pageSize) => directory.setupLinks.listSetupActivity({ token, afterSeq, pageSize }),
      after ?? first.latestSeq,
      (entries) => {
        for (const entry of entries) {
          for (const step of stepsCompletedBy(factsOf(entry), idp)) stream.send("step", { step });
          stream.send("request", portalRequestOf(entry, idp));
        }
      },
      { pollMs, signal: stream.signal },
    ).then(
      () => stream.close(),
      (error: unknown) => {
        // The link was revoked or expired while the page was open: the page says so at once.
        const refusal = linkRefusal(error);
        if (refusal === undefined) logger.warn({ err: error }, "following a setup link's activity failed");
        stream.send("ended", { message: refusal?.message ?? "The live view stopped; reload the page." });
        stream.close();
      },
    );
  });

  return router;
}
