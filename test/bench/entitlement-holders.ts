// What a page of a value's holders (EntitlementService.ListUsersWithEntitlement) costs in a large
// tenant, against a page of its users in the same run, over real gRPC to the real directory
// process. The holders are read from user_assignments as an index range, so a page should cost
// about what any page of users does, however many users the tenant has and wherever the holders
// are in it: here they are the newest users, behind every seeded one, where a scan of the tenant
// would find them last. A value nobody holds should cost no more. Asserts nothing: these machines
// are shared and noisy (list-holders.test.ts holds the answers to the filter's).
//
//   npx --yes pnpm@10.34.9 bench:holders         # USERS=200000 HOLDERS=1000 PAGE=100 ROUNDS=20 STORE=sqlite|postgres
import { EntitlementKind } from "@scimgw/proto";
import type { StoreKind } from "@scimgw/test-stores";
import { median } from "./percentile.js";
import { seededDirectory } from "./seeded-directory.js";

const users = Number(process.env.USERS ?? 200_000);
const holders = Number(process.env.HOLDERS ?? 1000);
const pageSize = Number(process.env.PAGE ?? 100);
const rounds = Number(process.env.ROUNDS ?? 20);
const store = (process.env.STORE ?? "sqlite") as StoreKind;
if (holders < 2 * pageSize) throw new Error(`HOLDERS (${holders}) must be at least two pages of PAGE (${pageSize})`);

// The seeded users are a second apart in the past, so the holders created next are the newest users.
const { client, tenantId, stop } = await seededDirectory(store, users, "read-write");
try {
  const started = performance.now();
  // Through the directory, as an IdP's creates arrive, so each holder's assignment rows are the store's own.
  for (let start = 0; start < holders; start += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, holders - start) }, (_, i) =>
        client.users.createUser({
          tenantId,
          user: { userName: `holder${start + i}@example.com`, entitlements: [{ value: "Pro", type: "License" }] },
        }),
      ),
    );
  }
  console.log(`created ${holders} holders of "Pro" (type "License") in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const holdersOf = (value: string, pageToken = "") =>
    client.entitlements.listUsersWithEntitlement({
      tenantId,
      kind: EntitlementKind.ENTITLEMENT,
      type: "License",
      value,
      count: pageSize,
      pageToken,
    });
  // The token of the holders' last full page, found by walking there once.
  let lastPageToken = "";
  for (let seen = 0; seen + pageSize < holders; seen += pageSize) lastPageToken = (await holdersOf("Pro", lastPageToken)).nextPageToken;

  const timings = { users: [] as number[], first: [] as number[], last: [] as number[], nobody: [] as number[] };
  const timed = async <T>(into: number[], read: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const answer = await read();
    into.push(performance.now() - at);
    return answer;
  };
  for (let round = 0; round < rounds; round++) {
    // Interleaved inside each round, so noise hits them alike.
    const page = await timed(timings.users, () => client.users.listUsers({ tenantId, count: pageSize }));
    const first = await timed(timings.first, () => holdersOf("Pro"));
    const last = await timed(timings.last, () => holdersOf("Pro", lastPageToken));
    const nobody = await timed(timings.nobody, () => holdersOf("Nobody"));
    if (page.users.length !== pageSize || first.users.length !== pageSize || nobody.users.length !== 0)
      throw new Error("a page is not the size it should be");
    if (last.users.length === 0 || last.nextPageToken !== "" || !last.users.every((user) => user.userName.startsWith("holder")))
      throw new Error("the holders' last page is not their last page");
  }

  const figure = (name: keyof typeof timings) => median(timings[name]);
  console.log(`\npages of ${pageSize}, median of ${rounds} (ms):`);
  console.log(`  users, first page (the baseline)        ${figure("users").toFixed(2)}`);
  console.log(
    `  holders of "Pro", first page            ${figure("first").toFixed(2)}  ×${(figure("first") / figure("users")).toFixed(2)} the baseline`,
  );
  console.log(
    `  holders of "Pro", last page             ${figure("last").toFixed(2)}  ×${(figure("last") / figure("first")).toFixed(2)} their first page`,
  );
  console.log(
    `  holders of "Nobody" (none)              ${figure("nobody").toFixed(2)}  ×${(figure("nobody") / figure("users")).toFixed(2)} the baseline`,
  );
  console.log(`(${holders} holders, the newest of ${users + holders} users; a page of holders should stay near ×1 of a page of users)`);
} finally {
  await stop();
}
