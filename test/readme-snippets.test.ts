import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { extractSnippets, findReadmes, typeCheckSnippets } from "./support/readme-snippets.js";

// The README examples users copy are compiled against the workspace packages, so the docs cannot
// rot (as connect-es does). A block fenced ```ts no-check is a sketch and is skipped; keep that rare.
const root = fileURLToPath(new URL("..", import.meta.url));

test("every ```ts block of every README type-checks against the workspace packages", () => {
  const snippets = findReadmes(root).flatMap((readme) => extractSnippets(readme, readFileSync(join(root, readme), "utf8")));
  const checked = snippets.filter((snippet) => snippet.checked);
  assert.ok(checked.length >= 4, `expected the READMEs' TypeScript examples, found ${checked.length}`);
  const errors = typeCheckSnippets(root, checked);
  assert.deepEqual(errors, [], `README snippets that do not compile:\n${errors.join("\n")}`);
});

test("a snippet with a type error is reported at its README line", () => {
  const markdown = [
    "Text.",
    "",
    "```ts",
    'import { createDirectoryClient } from "@scimgw/directory-client";',
    'createDirectoryClient({ adress: "127.0.0.1:50051", serviceCredential: "s" });',
    "```",
    "",
    "```ts no-check",
    "this is a sketch, not TypeScript",
    "```",
  ].join("\n");
  const snippets = extractSnippets("packages/directory-client/README.md", markdown);
  assert.deepEqual(
    snippets.map(({ line, checked }) => ({ line, checked })),
    [
      { line: 4, checked: true },
      { line: 9, checked: false },
    ],
  );
  const errors = typeCheckSnippets(root, snippets);
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0] ?? "", /^packages\/directory-client\/README\.md:5:\d+ TS2561: .*'adress'/);
});

test("fences inside list items and longer fences are read as CommonMark does", () => {
  const markdown = ["1. Step:", "", "   ````ts", "   const a: number = 1;", "   ```", "   ````", "", "```sh", "echo no", "```"].join("\n");
  assert.deepEqual(extractSnippets("README.md", markdown), [
    { readme: "README.md", line: 4, code: "const a: number = 1;\n```", checked: true },
  ]);
});
