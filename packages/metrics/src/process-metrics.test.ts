import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Registry } from "prom-client";
import { eventLoopBusyMetric, registerProcessMetrics } from "./process-metrics.js";

async function metricValue(registry: Registry, name: string): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  return metric === undefined ? undefined : (await metric.get()).values[0]?.value;
}

describe("the process metrics every service serves", () => {
  test("count the seconds the event loop spends running callbacks, beside prom-client's own", async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    assert.ok(registry.getSingleMetric("process_cpu_user_seconds_total"), "prom-client's process metrics are there");

    const before = (await metricValue(registry, eventLoopBusyMetric)) ?? Number.NaN;
    const busyUntil = performance.now() + 200;
    while (performance.now() < busyUntil) {
      // a callback that keeps the loop busy for 200 ms
    }
    const afterBusy = (await metricValue(registry, eventLoopBusyMetric)) ?? Number.NaN;
    assert.ok(afterBusy - before >= 0.19, `200 ms of busy loop counted as ${afterBusy - before} s`);

    // Waiting is not counted: a loop that sleeps 200 ms adds far less than that.
    await sleep(200);
    const afterIdle = (await metricValue(registry, eventLoopBusyMetric)) ?? Number.NaN;
    assert.ok(afterIdle >= afterBusy, "the counter never goes back");
    assert.ok(afterIdle - afterBusy < 0.15, `200 ms of waiting counted as ${afterIdle - afterBusy} s busy`);

    const text = await registry.metrics();
    assert.match(text, new RegExp(`^# TYPE ${eventLoopBusyMetric} counter$`, "m"));
  });
});
