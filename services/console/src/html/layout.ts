import { html, type Html } from "./html.js";

export interface PageOptions {
  title: string;
  body: Html;
  /** The signed-in operator: the page gets the console's navigation and a sign-out form. */
  operator?: { email: string; csrfToken: string };
  /** Breadcrumbs above the title, as links. */
  trail?: Array<{ href: string; label: string }>;
}

/**
 * Every page's frame: landmarks (header, nav, main), a skip link, the one stylesheet and the one
 * script module, both from /assets/ (the CSP allows nothing else).
 */
export function page({ title, body, operator, trail = [] }: PageOptions): Html {
  const navigation =
    operator === undefined
      ? html``
      : html`<nav aria-label="Console">
          <a href="/tenants">Tenants</a>
          <span class="who">${operator.email}</span>
          <form method="post" action="/logout" class="inline">
            <input type="hidden" name="csrf_token" value="${operator.csrfToken}">
            <button type="submit" class="secondary">Sign out</button>
          </form>
        </nav>`;
  const breadcrumbs =
    trail.length === 0
      ? html``
      : html`<nav aria-label="Breadcrumb" class="trail"><ol>${trail.map((step) => html`<li><a href="${step.href}">${step.label}</a></li>`)}</ol></nav>`;
  return html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · scimgw</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/console.css">
<script type="module" src="/assets/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">scimgw</span>${navigation}</header>
<main id="main">
${breadcrumbs}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A message in the page: an error (announced at once to screen readers) or a notice. */
export function notice(kind: "error" | "info" | "success", text: string | Html): Html {
  return kind === "error"
    ? html`<p class="notice error" role="alert">${text}</p>`
    : html`<p class="notice ${kind}" role="status">${text}</p>`;
}

/**
 * A button that copies the text of element `id`, and the status that says it did. Hidden until the
 * script has made it work: before that (or without the script) a click would do nothing, and a
 * quick click on a page still loading its script would be lost.
 */
export function copyButton(id: string): Html {
  return html`<button type="button" data-copy="${id}" hidden>Copy</button><span class="copied" role="status" aria-live="polite"></span>`;
}

/** A secret shown once, with a button that copies it. */
export function shownOnce(id: string, label: string, secret: string): Html {
  return html`<div class="secret">
  <p><strong>${label}</strong> It is shown only this once: copy it now.</p>
  <div class="copy-row"><code id="${id}" class="secret-value">${secret}</code>
  ${copyButton(id)}</div>
</div>`;
}

/** The CSRF field every operator form carries. */
export function csrfField(csrfToken: string): Html {
  return html`<input type="hidden" name="csrf_token" value="${csrfToken}">`;
}
