import { test } from "node:test";
import assert from "node:assert/strict";
import type { HttpFigures } from "./load/load-job.js";
import { measurePaired, mergeHttpFigures, perSecondOver } from "./paired.js";

function figures(overrides: Partial<HttpFigures>): HttpFigures {
  return {
    perSecond: 0,
    seconds: 2,
    warmedUpSeconds: 0,
    p50Ms: 0,
    p99Ms: 0,
    meanMs: 0,
    completed: 0,
    non2xx: 0,
    statuses: {},
    errors: 0,
    cpuMsPerRequest: {},
    ...overrides,
  };
}

test("a workload and its ceiling take turns, C W W C C W, each warmed up once before its first slice", async () => {
  const calls: string[] = [];
  const side =
    (name: string) =>
    async (seconds: number, warmupSeconds: number): Promise<string> => {
      calls.push(`${name} ${seconds}s${warmupSeconds > 0 ? ` +${warmupSeconds}s warm-up` : ""}`);
      return name;
    };
  const measured = await measurePaired({ slices: 3, seconds: 6, warmupSeconds: 1 }, side("ceiling"), side("workload"));
  assert.deepEqual(calls, ["ceiling 2s +1s warm-up", "workload 2s +1s warm-up", "workload 2s", "ceiling 2s", "ceiling 2s", "workload 2s"]);
  assert.deepEqual(measured, { ceiling: ["ceiling", "ceiling", "ceiling"], workload: ["workload", "workload", "workload"] });
});

test("a rate over slices is what was done over all their time, not the mean of their rates", () => {
  assert.equal(
    perSecondOver([
      { perSecond: 100, seconds: 1 },
      { perSecond: 400, seconds: 3 },
    ]),
    325,
  );
});

test("merged slices: counts and statuses summed, CPU per request weighted by requests, median p50 and highest p99", () => {
  const merged = mergeHttpFigures([
    figures({
      perSecond: 100,
      seconds: 2,
      warmedUpSeconds: 7,
      completed: 200,
      p50Ms: 5,
      p99Ms: 40,
      meanMs: 6,
      statuses: { "200": 200 },
      cpuMsPerRequest: { directory: 1 },
    }),
    figures({
      perSecond: 300,
      seconds: 2,
      completed: 602,
      p50Ms: 3,
      p99Ms: 20,
      meanMs: 4,
      non2xx: 2,
      statuses: { "200": 600, "409": 2 },
      errors: 1,
      cpuMsPerRequest: { directory: 2 },
    }),
    figures({
      perSecond: 200,
      seconds: 2,
      completed: 400,
      p50Ms: 4,
      p99Ms: 30,
      meanMs: 5,
      statuses: { "200": 400 },
      cpuMsPerRequest: { directory: 1.5 },
    }),
  ]);
  assert.equal(merged.perSecond, 200);
  assert.equal(merged.seconds, 6);
  assert.equal(merged.warmedUpSeconds, 7);
  assert.equal(merged.completed, 1202);
  assert.equal(merged.non2xx, 2);
  assert.equal(merged.errors, 1);
  assert.deepEqual(merged.statuses, { "200": 1200, "409": 2 });
  assert.equal(merged.p50Ms, 4);
  assert.equal(merged.p99Ms, 40);
  assert.ok(Math.abs((merged.cpuMsPerRequest.directory ?? 0) - (200 * 1 + 602 * 2 + 400 * 1.5) / 1202) < 1e-9);
  assert.ok(Math.abs(merged.meanMs - (200 * 6 + 602 * 4 + 400 * 5) / 1202) < 1e-9);
});
