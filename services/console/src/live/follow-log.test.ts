import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ActivityEntrySchema } from "@scimgw/proto";
import { followLog } from "./follow-log.js";

test("followLog continues after a full page's last entry, else after latest_seq, and stops when aborted", async () => {
  const controller = new AbortController();
  const calls: bigint[] = [];
  const pages = [
    { entries: [1n, 2n].map((seq) => create(ActivityEntrySchema, { seq })), latestSeq: 5n },
    { entries: [create(ActivityEntrySchema, { seq: 4n })], latestSeq: 5n },
    { entries: [], latestSeq: 7n },
  ];
  const seen: bigint[] = [];
  await followLog(
    async (after) => {
      calls.push(after);
      const page = pages.shift();
      if (page === undefined) {
        controller.abort();
        return { entries: [], latestSeq: 7n };
      }
      return page;
    },
    0n,
    (entries) => seen.push(...entries.map((entry) => entry.seq)),
    { pollMs: 1, signal: controller.signal, pageSize: 2 },
  );
  assert.deepEqual(calls, [0n, 2n, 5n, 7n]);
  assert.deepEqual(seen, [1n, 2n, 4n]);
});
