// The import-cycle check run on tiny fixture repositories, to show it fails on each kind of cycle
// and passes on layered code:  node --test scripts/check-import-cycles.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("check-import-cycles.mjs", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`fixtures/import-cycles/${name}`, import.meta.url));

function check(name) {
  const run = spawnSync(process.execPath, [script, fixture(name)], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("folders that import each other fail, with the imports that close the cycle, even when no file cycle exists", () => {
  const { code, stderr } = check("folder-cycle");
  assert.equal(code, 1);
  assert.equal(
    stderr,
    [
      "import cycle in packages/demo/src folders: groups -> users -> groups",
      "    groups/group-store.ts imports ../users/keyset.js",
      "    users/user-store.ts imports ../groups/membership.js",
      "",
    ].join("\n"),
  );
});

test("files that import each other fail, within one folder too", () => {
  const { code, stderr } = check("file-cycle");
  assert.equal(code, 1);
  assert.equal(stderr, "import cycle in services/demo/src files: compile-sort.ts -> keyset.ts -> compile-sort.ts\n");
});

test("layered folders pass; a test, generated code under src/gen and a commented-out import add no edge", () => {
  const { code, stdout, stderr } = check("acyclic");
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.match(stdout, /no import cycles: 1 packages, 4 files/);
});
