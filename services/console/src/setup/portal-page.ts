import { html, type Html } from "../html/html.js";
import { inlineMarkdown } from "../html/inline-markdown.js";
import { copyButton, notice } from "../html/layout.js";
import type { PortalIdp } from "./explain-activity.js";
import { guideOf, readmeBaseUrl } from "./idp-guides.js";
import type { ChecklistState, PortalRequest } from "./setup-facts.js";

const stepLabels: Record<keyof ChecklistState, string> = {
  connector: "Connector test received",
  user: "First user created",
  group: "First group pushed",
};

/** A request the portal lists, with what to change when it failed. */
export function requestItem(request: PortalRequest): Html {
  const explained = request.explained;
  return html`<li class="${explained?.kind === "failure" ? "failed" : "passed"}">
  <p><span class="badge ${request.status >= 400 ? (explained?.kind === "expected" ? "ok" : "warn") : "ok"}">${request.status}</span>
  <code>${request.method} ${request.path}</code> <time datetime="${request.time}">${request.time.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time></p>
  ${
    explained === undefined
      ? ""
      : html`<p class="explain"><strong>${inlineMarkdown(explained.title)}</strong>: ${inlineMarkdown(explained.cause)}.
  ${explained.kind === "failure" ? html`<br>What to change: ${inlineMarkdown(explained.fix)}.` : ""}</p>
  ${request.detail === "" ? "" : html`<p class="detail">The gateway answered: <q>${request.detail}</q></p>`}`
  }
</li>`;
}

export interface PortalPageData {
  tenantName: string;
  idp: PortalIdp;
  baseUrl: string;
  /** The form's and the live checklist's paths (they carry the token). */
  keyAction: string;
  eventsUrl: string;
  checklist: ChecklistState;
  requests: PortalRequest[];
  /** A key just issued, shown once. */
  banner?: Html;
}

/** The chosen IdP's guide with the install's SCIM base URL, the key button and the live checklist. */
export function portalBody(data: PortalPageData): Html {
  const guide = guideOf(data.idp);
  const withBaseUrl = (text: string) => inlineMarkdown(text.replaceAll(readmeBaseUrl, data.baseUrl));
  const steps = (Object.keys(stepLabels) as Array<keyof ChecklistState>).map(
    (step) =>
      html`<li id="step-${step}" data-done="${data.checklist[step] ? "true" : "false"}"><span class="tick" aria-hidden="true"></span>
  <span>${stepLabels[step]}</span> <span class="step-state">${data.checklist[step] ? "done" : "waiting"}</span></li>`,
  );
  return html`<p>Connect <strong>${data.tenantName}</strong> to ${guide.name}. Follow the steps below; this page shows each request ${guide.name} sends as it arrives.</p>
<section aria-labelledby="values-heading" class="card">
<h2 id="values-heading">Your values</h2>
<dl class="facts">
  <div><dt>SCIM base URL</dt><dd><div class="copy-row"><code id="base-url">${data.baseUrl}</code>${copyButton("base-url")}</div></dd></div>
  <div><dt>API key</dt><dd>${
    data.banner ??
    html`<form method="post" action="${data.keyAction}" class="inline"><button type="submit">Issue the API key</button></form>
  <p class="muted">The key is shown once. Issuing another one later is fine: earlier keys keep working.</p>`
  }</dd></div>
</dl>
</section>
<section aria-labelledby="checklist-heading" class="card" data-checklist="${data.eventsUrl}">
<h2 id="checklist-heading">Checklist</h2>
<ol class="checklist">${steps}</ol>
<p class="live-state muted" role="status" aria-live="polite">Listening for requests…</p>
<p class="muted">Nothing arriving? A request without a key, or with a key that was never issued, names no tenant, so it
cannot appear here: send <code>Bearer &lt;key&gt;</code> with the key issued above, to the SCIM base URL above.</p>
<h3>Requests received</h3>
<ul class="requests" id="requests" aria-live="polite">${data.requests.map(requestItem)}</ul>
${data.requests.length === 0 ? html`<p class="muted" id="no-requests">None yet.</p>` : ""}
</section>
<section aria-labelledby="guide-heading">
<h2 id="guide-heading">Steps in ${guide.name}</h2>
${guide.sections.map(
  (section) => html`<h3>${section.heading}</h3>
${section.intro === "" ? "" : html`<p>${withBaseUrl(section.intro)}</p>`}
${
  section.items.length === 0
    ? ""
    : section.ordered
      ? html`<ol>${section.items.map((item) => html`<li>${withBaseUrl(item)}</li>`)}</ol>`
      : html`<ul>${section.items.map((item) => html`<li>${withBaseUrl(item)}</li>`)}</ul>`
}`,
)}
</section>`;
}

/** The link's first page: which identity provider. */
export function chooseIdpBody(tenantName: string, token: string): Html {
  return html`<p>You were sent this link to connect <strong>${tenantName}</strong> to your identity provider. Which one do you use?</p>
<ul class="choices">
  <li><a class="choice" href="/setup/${token}/okta">Okta</a></li>
  <li><a class="choice" href="/setup/${token}/entra">Microsoft Entra ID</a></li>
</ul>
${notice("info", "This link works only for this setup, and only until it expires.")}`;
}
