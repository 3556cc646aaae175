import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml, html } from "./html.js";

const hostile = `<img src=x onerror=window.__xss=1>`;

test("every interpolated value is text: markup from an identity provider is escaped", () => {
  assert.equal(html`<td>${hostile}</td>`.toString(), "<td>&lt;img src=x onerror=window.__xss=1&gt;</td>");
});

test("a value cannot leave a quoted attribute", () => {
  const value = `" onmouseover="alert(1)' x='`;
  assert.equal(html`<a title="${value}">`.toString(), '<a title="&quot; onmouseover=&quot;alert(1)&#39; x=&#39;">');
});

test("fragments nest as markup, lists join, absent values render nothing", () => {
  const rows = ["a", "<b>"].map((cell) => html`<li>${cell}</li>`);
  assert.equal(html`<ul>${rows}${undefined}${null}${false}</ul>`.toString(), "<ul><li>a</li><li>&lt;b&gt;</li></ul>");
});

test("an object that only looks like a fragment is text", () => {
  const lookalike = { toString: () => "<script>x</script>" };
  assert.equal(html`${lookalike}`.toString(), "&lt;script&gt;x&lt;/script&gt;");
});

test("escapeHtml escapes the six characters that can end text or an attribute", () => {
  assert.equal(escapeHtml(`&<>"'\``), "&amp;&lt;&gt;&quot;&#39;&#96;");
});
