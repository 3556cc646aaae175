import { html, type Html } from "./html.js";

/** A SCIM value as nested lists: objects as term/description pairs, arrays as lists, the rest as text. */
export function jsonView(value: unknown): Html {
  if (Array.isArray(value))
    return value.length === 0
      ? html`<span class="muted">none</span>`
      : html`<ol class="json">${value.map((item) => html`<li>${jsonView(item)}</li>`)}</ol>`;
  if (value !== null && typeof value === "object")
    return html`<dl class="json">${Object.entries(value).map(([key, item]) => html`<div><dt>${key}</dt><dd>${jsonView(item)}</dd></div>`)}</dl>`;
  if (value === null || value === undefined) return html`<span class="muted">null</span>`;
  return html`${String(value)}`;
}
