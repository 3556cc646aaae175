import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ActivityEntrySchema, type ActivityEntry } from "@scimgw/proto";
import { createLogger } from "@scimgw/observability";
import { createActivityRecorder, type ActivityDropReason } from "./activity-recorder.js";

const entry = (tenantId: string, status = 200) => create(ActivityEntrySchema, { tenantId, status });
const logger = createLogger({ name: "gateway", level: "silent" });

test("entries go out in batches of at most 1,000, at the interval or on flush, and close sends the rest", async () => {
  const batches: ActivityEntry[][] = [];
  const recorder = createActivityRecorder({
    send: async (entries) => void batches.push(entries),
    logger,
    flushEveryMs: 20,
    maxPerTenantPerFlush: 5000,
  });
  for (let i = 0; i < 2500; i++) recorder.record(entry(`t${i % 3}`));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(
    batches.map((batch) => batch.length),
    [1000, 1000, 500],
    "sent by the timer, without a flush",
  );
  recorder.record(entry("t1"));
  await recorder.close();
  assert.equal(batches.flat().length, 2501);
});

test("a directory that refuses keeps the entries for a few batches, then they are dropped and counted", async () => {
  let failing = true;
  const sent: ActivityEntry[] = [];
  const dropped: Array<[ActivityDropReason, number]> = [];
  const recorder = createActivityRecorder({
    send: async (entries) => {
      if (failing) throw new Error("directory down");
      sent.push(...entries);
    },
    logger,
    flushEveryMs: 60_000,
    onDropped: (reason, count) => dropped.push([reason, count]),
  });
  recorder.record(entry("a"));
  await recorder.flush();
  recorder.record(entry("b"));
  await recorder.flush();
  assert.equal(recorder.queued, 2, "both kept while the directory is down");
  await recorder.flush();
  assert.deepEqual(dropped, [["undeliverable", 1]], "the first entry's third failed batch gives it up");
  failing = false;
  await recorder.close();
  assert.deepEqual(
    sent.map((e) => e.tenantId),
    ["b"],
  );
});

test("a tenant over its entries per batch, or a full queue, drops what does not fit and counts it", async () => {
  const dropped: Array<[ActivityDropReason, number]> = [];
  const recorder = createActivityRecorder({
    send: async () => {},
    logger,
    flushEveryMs: 60_000,
    maxPerTenantPerFlush: 3,
    maxQueued: 5,
    onDropped: (reason, count) => dropped.push([reason, count]),
  });
  for (let i = 0; i < 4; i++) recorder.record(entry("noisy"));
  for (let i = 0; i < 3; i++) recorder.record(entry(`quiet-${i}`));
  assert.equal(recorder.queued, 5);
  assert.deepEqual(dropped, [
    ["tenant_rate", 1],
    ["queue_full", 1],
  ]);
  await recorder.flush();
  // A new batch, a new allowance.
  recorder.record(entry("noisy"));
  assert.equal(recorder.queued, 1);
  await recorder.close();
});
