import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { createTenantGate } from "./tenant-gate.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("a tenant runs at most `concurrency` calls; the next wait in order and take freed slots", async () => {
  const gate = createTenantGate({ concurrency: 2, queueLimit: 10, maxWaitMs: 10_000 });
  const first = await gate.enter("a");
  const second = await gate.enter("a");
  const admitted: number[] = [];
  const admit = (n: number) => (leave: () => void) => {
    admitted.push(n);
    return leave;
  };
  const third = gate.enter("a").then(admit(3));
  const fourth = gate.enter("a").then(admit(4));
  await tick();
  assert.deepEqual(gate.load("a"), { running: 2, waiting: 2 });
  // Another tenant is not affected by a's queue.
  (await gate.enter("b"))();
  first();
  (await third)();
  second();
  (await fourth)();
  assert.deepEqual(admitted, [3, 4]);
  assert.deepEqual(gate.load("a"), { running: 0, waiting: 0 });
});

test("past the queue's bound or the longest wait a call is refused with TENANT_BUSY and a retry hint", async () => {
  const gate = createTenantGate({ concurrency: 1, queueLimit: 1, maxWaitMs: 30 });
  const leave = await gate.enter("a");
  const waiting = gate.enter("a");
  const busy = (error: unknown) => {
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, Code.RESOURCE_EXHAUSTED);
    assert.equal(error.reason, ErrorReason.TENANT_BUSY);
    assert.equal(error.metadata.retry_after_seconds, "1");
    return true;
  };
  await assert.rejects(gate.enter("a"), busy);
  await assert.rejects(waiting, busy);
  leave();
  assert.deepEqual(gate.load("a"), { running: 0, waiting: 0 });
});

test("a waiting call whose signal aborts leaves the queue with the signal's reason; an aborted call never enters", async () => {
  const gate = createTenantGate({ concurrency: 1, queueLimit: 5, maxWaitMs: 10_000 });
  const leave = await gate.enter("a");
  const controller = new AbortController();
  const waiting = gate.enter("a", controller.signal);
  const deadline = new RpcError(Code.DEADLINE_EXCEEDED, "deadline");
  controller.abort(deadline);
  await assert.rejects(waiting, (error) => error === deadline);
  assert.deepEqual(gate.load("a"), { running: 1, waiting: 0 });
  await assert.rejects(gate.enter("a", controller.signal), (error) => error === deadline);
  leave();
  assert.deepEqual(gate.load("a"), { running: 0, waiting: 0 });
});
