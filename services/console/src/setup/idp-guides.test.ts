import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { guideOf } from "./idp-guides.js";

/** The README without its line breaks and list markers, as prose. */
const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8")
  .replace(/\n\s*(?:\d+\.|-)\s+/g, " ")
  .replace(/\s+/g, " ");

for (const idp of ["okta", "entra"] as const) {
  test(`the ${idp} guide is the README's words`, () => {
    for (const section of guideOf(idp).sections) {
      for (const text of [section.intro, ...section.items].filter((t) => t !== "")) {
        assert.ok(readme.includes(text), `README.md does not say: ${text}`);
      }
    }
  });
}
