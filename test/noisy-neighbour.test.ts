// No tenant can hurt another (issue 11's acceptance): tenant A, from a process of its own, sends
// every kind of hostile request at once and floods past its rate limit, while tenant B runs
// Okta's user lifecycle. B must see no 5xx and no 429; A gets only refusals with details (429
// with Retry-After), or a plain answer for the two requests that are valid once limited (a
// 50-term filter, a clamped startIndex); and nothing A sent is stored. B's p99 with and without
// the neighbour is printed, not asserted: latency on a shared 2-core machine is a benchmark's
// figure, never a test's verdict.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimClient, type ScimJson } from "./support/scim-client.js";

const hostileTenant = path.join(path.dirname(fileURLToPath(import.meta.url)), "support", "hostile-tenant.ts");
const attackSeconds = 12;

interface Sample {
  what: string;
  status: number;
  ms: number;
}

/** One pass of Okta's user lifecycle for tenant B, timing every request. */
async function oktaLifecycle(okta: ScimClient, samples: Sample[]): Promise<void> {
  const timed = async (what: string, request: () => Promise<{ status: number; body: ScimJson }>) => {
    const started = performance.now();
    const response = await request();
    samples.push({ what, status: response.status, ms: performance.now() - started });
    return response;
  };
  const userName = randomUserName("neighbour");
  const lookup = `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
  await timed("lookup", () => okta.get(lookup));
  const created = await timed("create", () =>
    okta.post("/Users", {
      schemas: [userSchemaUrn],
      userName,
      name: { givenName: "Grace", familyName: "Hopper" },
      emails: [{ primary: true, value: userName, type: "work" }],
      displayName: "Grace Hopper",
      active: true,
    }),
  );
  const id: string | undefined = created.body?.id;
  if (id === undefined) return;
  const read = await timed("get", () => okta.get(`/Users/${id}`));
  await timed("put", () => okta.put(`/Users/${id}`, { ...read.body, title: "Rear Admiral" }));
  await timed("deactivate", () =>
    okta.patch(`/Users/${id}`, { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: false } }] }),
  );
  await timed("import page", () => okta.get("/Users?startIndex=1&count=100"));
}

function p99(samples: Sample[]): number {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

/** Runs the hostile tenant as its own process; resolves with its summary line. */
function attack(
  baseUrl: string,
  apiKey: string,
  userId: string,
): Promise<{ counts: Record<string, number>; unexpected: unknown[]; unexpectedCount: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", hostileTenant], {
      env: {
        ...process.env,
        HOSTILE_BASE_URL: baseUrl,
        HOSTILE_API_KEY: apiKey,
        HOSTILE_USER_ID: userId,
        HOSTILE_SECONDS: String(attackSeconds),
        HOSTILE_CONCURRENCY: "8",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}")) : reject(new Error(`hostile tenant exited ${code}`)),
    );
  });
}

for (const store of await storeKindsUnderTest())
  describe(`a noisy neighbour on ${store}`, () => {
    let product: Product;
    let tenantA: ScimClient;
    let tenantAKey = "";
    let tenantB: ScimClient;
    let victimId = "";

    before(async () => {
      product = await Product.start({ store });
      tenantAKey = await product.seedTenant("noisy");
      // A tenant-wide limit low enough that the attack's loops go past it within the run.
      await product.admin(["tenants", "limits", "noisy", "--per-second", "20", "--burst", "40"]);
      // B's own allowance above what its one sequential client can send: a 429 B gets is then A's
      // doing, never B's own pace (at the default 50 a second with its reserve, a fast machine ran
      // B's loop past it and the test failed for the wrong reason).
      await product.admin(["tenants", "limits", "default", "--per-second", "5000", "--burst", "10000"]);
      tenantA = scimClient(product.baseUrl, tenantAKey);
      tenantB = scimClient(product.baseUrl, product.apiKey);
      const victim = await tenantA.post("/Users", { schemas: [userSchemaUrn], userName: randomUserName("victim") });
      assert.equal(victim.status, 201);
      victimId = victim.body.id;
    });
    after(() => product.stop());

    test("tenant B keeps its service while tenant A sends everything it must not", async () => {
      const before = (await tenantA.get("/Users?startIndex=1&count=1000")).body;

      // Warm up, then B alone.
      await oktaLifecycle(tenantB, []);
      const alone: Sample[] = [];
      // 40 rounds (240 requests), so that the baseline's p99 is not one unlucky request.
      for (let round = 0; round < 40; round++) await oktaLifecycle(tenantB, alone);

      // B again, for as long as A attacks.
      const withNeighbour: Sample[] = [];
      const attackDone = attack(product.baseUrl, tenantAKey, victimId);
      let attacking = true;
      void attackDone.finally(() => {
        attacking = false;
      });
      while (attacking) await oktaLifecycle(tenantB, withNeighbour);
      const report = await attackDone;

      const bFailures = withNeighbour.filter((sample) => sample.status >= 500 || sample.status === 429);
      assert.deepEqual(bFailures, [], "tenant B got 5xx or 429 while A misbehaved");
      const aloneP99 = p99(alone);
      const neighbourP99 = p99(withNeighbour);
      process.stdout.write(
        `# ${store}: B p99 alone ${aloneP99.toFixed(1)} ms (${alone.length} requests), with A ${neighbourP99.toFixed(1)} ms (${withNeighbour.length} requests), ratio ${(neighbourP99 / aloneP99).toFixed(2)}; A: ${JSON.stringify(report.counts)}\n`,
      );

      assert.deepEqual(report.unexpected, [], `tenant A got answers other than refusals (${report.unexpectedCount})`);
      assert.ok(
        Object.keys(report.counts).some((key) => key.endsWith("-> 429")),
        "A's flood went past its rate limit",
      );

      // Nothing A sent was stored: the same users, at the same versions (read once A's limit refills).
      let listing = await tenantA.get("/Users?startIndex=1&count=1000");
      for (let attempt = 0; listing.status === 429 && attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(listing.headers.get("retry-after") ?? "1")));
        listing = await tenantA.get("/Users?startIndex=1&count=1000");
      }
      assert.equal(listing.status, 200);
      const afterwards = listing.body;
      assert.equal(afterwards.totalResults, before.totalResults);
      assert.deepEqual(
        afterwards.Resources.map((user: ScimJson) => [user.id, user.meta.version]),
        before.Resources.map((user: ScimJson) => [user.id, user.meta.version]),
      );
    });
  });
