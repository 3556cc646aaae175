// Latency of adding and removing one member, on a 10-member group and on a 100,000-member group,
// in the same run, over real HTTP through the gateway. Prints figures and their ratio (close to 1
// is the goal: membership changes must cost what they change, not the group's size). Asserts
// nothing: these machines are shared and noisy.
//
//   npx --yes pnpm@10.34.9 bench:groups          # MEMBERS=100000 ROUNDS=200 STORE=sqlite|postgres
import type { StoreKind } from "@scimgw/test-stores";
import { Product } from "../support/product.js";
import { seedUsers } from "../support/seed-users.js";
import { patchOpUrn, scimClient, type ScimClient } from "../support/scim-client.js";
import { percentile } from "./percentile.js";

const members = Number(process.env.MEMBERS ?? 100_000);
const rounds = Number(process.env.ROUNDS ?? 200);
const store = (process.env.STORE ?? "sqlite") as StoreKind;

async function timed(action: () => Promise<{ status: number }>): Promise<number> {
  const started = performance.now();
  const response = await action();
  if (response.status !== 204 && response.status !== 200) throw new Error(`HTTP ${response.status}`);
  return performance.now() - started;
}

async function groupWith(scim: ScimClient, name: string, memberIds: string[]): Promise<string> {
  const created = await scim.post("/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: name, members: [] });
  // Filled in PATCHes of 10,000, as a big IdP push would.
  for (let start = 0; start < memberIds.length; start += 10_000) {
    const response = await scim.patch(`/Groups/${created.body.id}?excludedAttributes=members`, {
      schemas: [patchOpUrn],
      Operations: [{ op: "add", path: "members", value: memberIds.slice(start, start + 10_000).map((value) => ({ value })) }],
    });
    if (response.status >= 300) throw new Error(`filling ${name}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  }
  return created.body.id;
}

const product = await Product.start({ store, gatewayEnv: { MAX_BODY_SIZE: "20mb" } });
try {
  const scim = scimClient(product.baseUrl, product.apiKey);
  const tenantId = await product.tenantIdOf("default");
  const seedStarted = performance.now();
  const ids = await seedUsers(product.databaseLocation, tenantId, members + rounds + 10);
  const small = await groupWith(scim, "ten members", ids.slice(0, 10));
  const large = await groupWith(scim, `${members} members`, ids.slice(0, members));
  console.log(`seeded ${ids.length} users and both groups in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (${store})`);

  const results: Record<string, number[]> = {
    "add, 10 members": [],
    [`add, ${members} members`]: [],
    "remove, 10 members": [],
    [`remove, ${members} members`]: [],
  };
  for (let round = 0; round < rounds; round++) {
    const newcomer = ids[members + round]!;
    // Alternate the groups inside each round, so noise hits both alike.
    for (const [groupId, label] of [
      [small, "10 members"],
      [large, `${members} members`],
    ] as const) {
      results[`add, ${label}`]!.push(
        await timed(() =>
          scim.patch(`/Groups/${groupId}`, {
            schemas: [patchOpUrn],
            Operations: [{ op: "add", path: "members", value: [{ value: newcomer }] }],
          }),
        ),
      );
      results[`remove, ${label}`]!.push(
        await timed(() =>
          scim.patch(`/Groups/${groupId}`, {
            schemas: [patchOpUrn],
            Operations: [{ op: "remove", path: `members[value eq "${newcomer}"]` }],
          }),
        ),
      );
    }
  }
  console.log(`\n${rounds} single-member PATCHes of each kind, over HTTP, ${store}\n`);
  console.log(["operation".padEnd(28), "p50 ms".padStart(8), "p90 ms".padStart(8), "mean ms".padStart(9)].join(""));
  for (const [name, values] of Object.entries(results)) {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    console.log(
      [
        name.padEnd(28),
        percentile(values, 0.5).toFixed(2).padStart(8),
        percentile(values, 0.9).toFixed(2).padStart(8),
        mean.toFixed(2).padStart(9),
      ].join(""),
    );
  }
  for (const kind of ["add", "remove"]) {
    const ratio = percentile(results[`${kind}, ${members} members`]!, 0.5) / percentile(results[`${kind}, 10 members`]!, 0.5);
    console.log(`ratio ${kind} (p50, ${members} / 10 members): ${ratio.toFixed(2)}`);
  }
} finally {
  await product.stop();
}
