// What a page of users costs at the start, middle and end of a large tenant, by cursor and by
// SCIM offset, in the same run, over real gRPC to the real directory process. Prints figures and
// the deep/first ratios: a cursor page should cost what the first page does at any depth (ratio
// near 1), while an offset page grows with its depth (the baseline this is measured against).
// A startIndex walk (an IdP import: startIndex 1, 1 + PAGE, …) is measured both ways in the same
// directory: "walk" pages continue from the position the previous page ended at (the directory
// remembers it), "offset" pages ask for a startIndex no page ended before, so they skip rows by OFFSET.
// Asserts nothing: these machines are shared and noisy.
//
//   npx --yes pnpm@10.34.9 bench:paging          # USERS=200000 PAGE=500 ROUNDS=20 STORE=sqlite|postgres
import type { DirectoryClient } from "@scimgw/directory-client";
import type { StoreKind } from "@scimgw/test-stores";
import { median } from "./percentile.js";
import { seededDirectory } from "./seeded-directory.js";

const users = Number(process.env.USERS ?? 200_000);
const pageSize = Number(process.env.PAGE ?? 500);
const rounds = Number(process.env.ROUNDS ?? 20);
const store = (process.env.STORE ?? "sqlite") as StoreKind;

/** The page token that starts a cursor walk at `depth` users, found by walking there once. */
async function tokenAt(client: DirectoryClient, tenantId: string, depth: number): Promise<string> {
  let pageToken = "";
  for (let seen = 0; seen < depth; seen += 1000) {
    pageToken = (await client.users.listUsers({ tenantId, count: Math.min(1000, depth - seen), pageToken })).nextPageToken;
  }
  return pageToken;
}

const { client, tenantId, stop } = await seededDirectory(store, users, "read-only");
try {
  console.log(`pages of ${pageSize}, median of ${rounds}`);

  const depths = [0, Math.floor(users / 2), users - pageSize];
  const tokens = await Promise.all(depths.map((depth) => tokenAt(client, tenantId, depth)));
  const timings = {
    cursor: depths.map(() => [] as number[]),
    offset: depths.map(() => [] as number[]),
    walk: depths.map(() => [] as number[]),
  };
  // An offset listing also counts the matches (SCIM's totalResults); measured alone, so the
  // depth-dependent part of an offset page can be told from the count.
  const counting: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const countStarted = performance.now();
    await client.users.listUsers({ tenantId, startIndex: 1n, count: 0 });
    counting.push(performance.now() - countStarted);
    // Interleave depths and modes inside each round, so noise hits them alike.
    for (const [index, depth] of depths.entries()) {
      let started = performance.now();
      const byCursor = await client.users.listUsers({ tenantId, count: pageSize, pageToken: tokens[index]! });
      timings.cursor[index]!.push(performance.now() - started);
      // Never the end of an earlier page (those end at depth + 1 ± k·pageSize), so never remembered: OFFSET.
      const offsetStart = Math.max(1, depth - round);
      started = performance.now();
      const byOffset = await client.users.listUsers({ tenantId, count: pageSize, startIndex: BigInt(offsetStart) });
      timings.offset[index]!.push(performance.now() - started);
      // The page before, untimed, as the walk read it; then the timed page continues from where it ended.
      if (depth > 0) await client.users.listUsers({ tenantId, count: pageSize, startIndex: BigInt(depth + 1 - pageSize) });
      started = performance.now();
      const byWalk = await client.users.listUsers({ tenantId, count: pageSize, startIndex: BigInt(depth + 1) });
      timings.walk[index]!.push(performance.now() - started);
      const firstId = byCursor.users[0]?.id;
      if (byCursor.users.length !== pageSize || byWalk.users[0]?.id !== firstId || byOffset.users[depth + 1 - offsetStart]?.id !== firstId)
        throw new Error(`the listings disagree at depth ${depth}`);
      if (byWalk.totalResults !== BigInt(users)) throw new Error(`the walk's total is ${byWalk.totalResults}, not ${users}`);
    }
  }
  console.log(`\n${"depth".padEnd(10)}${"cursor ms".padStart(12)}${"offset ms".padStart(12)}${"walk ms".padStart(12)}`);
  for (const [index, depth] of depths.entries()) {
    console.log(
      `${String(depth).padEnd(10)}${(["cursor", "offset", "walk"] as const).map((mode) => median(timings[mode][index]!).toFixed(2).padStart(12)).join("")}`,
    );
  }
  const ratio = (mode: "cursor" | "offset" | "walk") => (median(timings[mode][2]!) / median(timings[mode][0]!)).toFixed(2);
  const count = median(counting);
  const beyondCount = (index: number) => Math.max(0.01, median(timings.offset[index]!) - count);
  console.log(`counting all ${users} matches alone (part of every offset page): ${count.toFixed(2)} ms`);
  console.log(
    `\nlast page / first page: cursor ×${ratio("cursor")}, offset ×${ratio("offset")}; offset without its count ×${(beyondCount(2) / beyondCount(0)).toFixed(1)}`,
  );
  console.log(`startIndex walk (each page continuing the previous one): ×${ratio("walk")}`);
  console.log("(offset paging is the baseline; a cursor page and a walk's next page should stay near ×1 at any depth)");
} finally {
  await stop();
}
