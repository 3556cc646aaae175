import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { z } from "zod";
import { heapGrowthSetting } from "./index.js";

// A process that holds ~40 MB and then promotes ~150 MB of garbage (each batch outlives two
// scavenges of its 1 MB semi-space before it is dropped), as an import does page after page; it prints how many full
// collections that took, after applyHeapGrowth(percent) from this package's source (through tsx,
// as the tests run: a package's own dist is not built before its tests).
const promoteGarbage = `
  import { PerformanceObserver, constants } from "node:perf_hooks";
  const { applyHeapGrowth } = await import(process.argv[1]);
  applyHeapGrowth(Number(process.argv[2]));
  let major = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major += 1;
  }).observe({ entryTypes: ["gc"] });
  const held = Array.from({ length: 200 }, () => Array.from({ length: 10_000 }, (_, i) => ({ i })));
  const recent = [];
  for (let batch = 0; batch < 3_000; batch += 1) {
    recent.push(Array.from({ length: 2_000 }, (_, i) => ({ batch, i })));
    if (recent.length > 40) recent.shift();
    if (batch % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(JSON.stringify({ major, held: held.length }));
`;

async function fullCollections(percent: number): Promise<number> {
  const entry = new URL("./heap-growth.ts", import.meta.url).href;
  const { stdout } = await promisify(execFile)(process.execPath, [
    "--max-semi-space-size=1",
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    promoteGarbage,
    entry,
    String(percent),
  ]);
  return (JSON.parse(stdout) as { major: number }).major;
}

test("HEAP_GROWTH_PERCENT defaults to 50, 0 is V8's own choice, and it is bounded", () => {
  const schema = z.object({ HEAP_GROWTH_PERCENT: heapGrowthSetting });
  assert.equal(schema.parse({}).HEAP_GROWTH_PERCENT, 50);
  assert.equal(schema.parse({ HEAP_GROWTH_PERCENT: "0" }).HEAP_GROWTH_PERCENT, 0);
  for (const bad of ["-1", "401", "1.5", "lots"]) assert.equal(schema.safeParse({ HEAP_GROWTH_PERCENT: bad }).success, false, bad);
});

test("a lower heap growth makes a running process collect a promoting workload more often", async () => {
  // Counts, not times: V8's default lets the heap grow to several times its live size between
  // full collections, so it needs far fewer of them than a 20% allowance does for the same garbage.
  const [v8Default, tight] = await Promise.all([fullCollections(0), fullCollections(20)]);
  assert.ok(tight > 2 * v8Default, `full collections: ${tight} at 20% against ${v8Default} with V8's default`);
});
