import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Registry } from "prom-client";
import { serveMetrics } from "./serve-metrics.js";

test("GET /metrics answers the registry's metrics in Prometheus text format; other paths are 404", async () => {
  const registry = new Registry();
  new Counter({ name: "demo_things_total", help: "Things done.", registers: [registry] }).inc(3);
  const endpoint = await serveMetrics(registry, { host: "127.0.0.1", port: 0 }, () => undefined);
  try {
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(endpoint.url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), registry.contentType);
    const text = await response.text();
    assert.match(text, /^# HELP demo_things_total Things done\.$/m);
    assert.match(text, /^demo_things_total 3$/m);
    assert.equal((await fetch(endpoint.url.replace(/\/metrics$/, "/"))).status, 404);
    assert.equal((await fetch(endpoint.url, { method: "POST" })).status, 405);
  } finally {
    await endpoint.close();
  }
});

test("a collector that fails makes the scrape a 500, and its cause goes to onError", async () => {
  const registry = new Registry();
  new Counter({
    name: "demo_broken_total",
    help: "Collected from somewhere that fails.",
    registers: [registry],
    collect() {
      throw new Error("the pool is gone");
    },
  });
  const errors: unknown[] = [];
  const endpoint = await serveMetrics(registry, { host: "127.0.0.1", port: 0 }, (error) => errors.push(error));
  try {
    assert.equal((await fetch(endpoint.url)).status, 500);
    assert.match(String(errors[0]), /the pool is gone/);
  } finally {
    await endpoint.close();
  }
});
