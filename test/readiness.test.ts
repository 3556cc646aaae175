// What load balancers and Kubernetes probes see: /healthz says the gateway process is alive,
// /readyz whether it can serve SCIM now (the directory answers with the gateway's credential and
// its store is reachable), and how long an idle connection stays open. Real processes; a stopped
// directory and a revoked credential.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Product } from "./support/product.js";

interface Probe {
  status: number;
  body: { status: string; reason?: string };
}

async function probe(url: string): Promise<Probe> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Probe["body"] };
}

/** Polls until /readyz answers `status` or the deadline passes; every poll also checks /healthz is 200. */
async function readyzBecomes(origin: string, status: number, withinMs: number): Promise<Probe> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    assert.equal((await probe(`${origin}/healthz`)).status, 200, "/healthz stays 200 while the gateway process runs");
    const readyz = await probe(`${origin}/readyz`);
    if (readyz.status === status) return readyz;
    if (performance.now() > deadline) assert.fail(`/readyz still ${readyz.status} (${JSON.stringify(readyz.body)}) after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("gateway readiness", () => {
  let product: Product;
  let origin: string;
  before(async () => {
    // Credential checks are not cached, so a revocation shows at once.
    product = await Product.start({ directoryEnv: { SERVICE_CREDENTIAL_CACHE_SECONDS: "0" } });
    origin = new URL(product.baseUrl).origin;
  });
  after(() => product.stop());

  test("ready with a running directory, without an API key", async () => {
    const readyz = await probe(`${origin}/readyz`);
    assert.deepEqual(readyz, { status: 200, body: { status: "ready" } });
  });

  test("idle connections are kept 65 s, longer than a load balancer keeps its own (AWS: 60 s)", async () => {
    // Node's default is 5 s: a client or proxy reusing a connection just as it closes gets a reset.
    const response = await fetch(`${origin}/healthz`);
    await response.arrayBuffer();
    assert.equal(response.headers.get("keep-alive"), "timeout=65");
  });

  test("not ready while the directory is stopped; ready again within 2 s of its return", async () => {
    await product.stopDirectories();
    const down = await readyzBecomes(origin, 503, 5_000);
    assert.equal(down.body.status, "not ready");
    assert.match(down.body.reason ?? "", /directory unavailable/);
    await product.startDirectories();
    await readyzBecomes(origin, 200, 2_000);
  });

  test("not ready while the gateway's credential is revoked; ready again within 2 s of a new one in its file", async () => {
    const credentials = JSON.parse(await product.admin(["credentials", "list", "--json"])) as Array<{ id: string; name: string }>;
    const gateway = credentials.find((credential) => credential.name.startsWith("gateway"))!;
    await product.admin(["credentials", "revoke", gateway.id]);
    const refused = await readyzBecomes(origin, 503, 5_000);
    assert.match(refused.body.reason ?? "", /refuses the gateway's credential \(UNKNOWN_SERVICE_CREDENTIAL\)/);
    // What an operator does: bootstrap writes a new credential into the file the gateway follows.
    await product.admin(["bootstrap", "--gateway-credential-file", product.gatewayCredentialFile]);
    await readyzBecomes(origin, 200, 2_000);
  });
});
