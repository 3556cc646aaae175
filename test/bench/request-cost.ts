// What one SCIM request costs end to end, against a bare Koa handler measured the same way in
// the same run. Prints figures; asserts nothing (these machines are shared and noisy).
//
//   npx --yes pnpm@10.34.9 bench:requests            # REQUESTS=4000 CONCURRENCY=16 to change the load
import Koa from "koa";
import type { AddressInfo } from "node:net";
import { Product } from "../support/product.js";
import { randomUserName, scimClient, userSchemaUrn } from "../support/scim-client.js";

const requests = Number(process.env.REQUESTS ?? 4000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  // Warm-up: connections, JIT, caches.
  for (let i = 0; i < 200; i++) await (await fetch(url, { headers })).arrayBuffer();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t0 = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

async function bareKoa(): Promise<{ url: string; close: () => void }> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.type = "application/scim+json";
    ctx.body = { schemas: [userSchemaUrn], id: "x", userName: "baseline" };
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function productScenarios(cacheSeconds: string, label: string): Promise<Result[]> {
  const product = await Product.start({ gatewayEnv: { API_KEY_CACHE_SECONDS: cacheSeconds } });
  try {
    const scim = scimClient(product.baseUrl, product.apiKey);
    const userName = randomUserName("bench");
    const created = await scim.post("/Users", { schemas: [userSchemaUrn], userName, name: { givenName: "B", familyName: "Ench" } });
    const auth = { Authorization: `Bearer ${product.apiKey}`, Accept: "application/scim+json" };
    return [
      await measure(`GET /Users/:id (${label})`, `${product.baseUrl}/Users/${created.body.id}`, auth),
      await measure(
        `GET /Users?filter=userName eq (${label})`,
        `${product.baseUrl}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
        auth,
      ),
    ];
  } finally {
    await product.stop();
  }
}

const baseline = await bareKoa();
const results: Result[] = [await measure("bare Koa handler (baseline)", baseline.url, {})];
baseline.close();
results.push(...(await productScenarios("30", "key cached: 1 directory call")));
results.push(...(await productScenarios("0", "no key cache: 2 directory calls")));

const base = results[0]!.perSecond;
console.log(`\n${requests} requests per scenario, ${concurrency} concurrent, on ${(await import("node:os")).cpus().length} cores\n`);
console.log(["scenario".padEnd(58), "req/s".padStart(8), "p50 ms".padStart(8), "p99 ms".padStart(8), "vs baseline".padStart(12)].join(""));
for (const r of results) {
  console.log(
    [
      r.name.padEnd(58),
      r.perSecond.toFixed(0).padStart(8),
      r.p50.toFixed(2).padStart(8),
      r.p99.toFixed(2).padStart(8),
      `${(r.perSecond / base).toFixed(3)}x`.padStart(12),
    ].join(""),
  );
}
