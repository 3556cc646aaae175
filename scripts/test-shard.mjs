// One shard of scripts/test-in-shards.mjs: runs the test files named on the command line in this
// one process, one after another, each as a suite named by its path. `node --test` would start a
// process per file, each paying for tsx and for loading the code under test again; here a shard
// pays once. Each file's top-level tests and hooks (before/after) belong to its suite, so they
// run with that file's tests and no other's.
//
//   node --import tsx scripts/test-shard.mjs <file.test.ts>...
import path from "node:path";
import { describe } from "node:test";
import { pathToFileURL } from "node:url";

for (const file of process.argv.slice(2)) {
  // Awaited, so a file is loaded only when the previous one has finished: files never overlap.
  await describe(file, async () => {
    await import(pathToFileURL(path.resolve(file)).href);
  });
}
