import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, ErrorReason, RpcError, type DirectoryClient } from "@scimgw/directory-client";
import { createReadinessCheck } from "./check-readiness.js";

/** A directory whose VerifyApiKey fails as `answer` says, counting the calls. */
function directoryAnswering(answer: () => unknown) {
  const calls = { count: 0 };
  const directory = {
    apiKeys: {
      verifyApiKey: async () => {
        calls.count++;
        throw answer();
      },
    },
  } as unknown as DirectoryClient;
  return { directory, calls };
}

const cases: Array<[string, () => unknown, RegExp | undefined]> = [
  [
    "unknown key: credential accepted and store consulted",
    () => new RpcError(Code.UNAUTHENTICATED, "no", { reason: ErrorReason.UNKNOWN_API_KEY }),
    undefined,
  ],
  [
    "revoked credential",
    () => new RpcError(Code.UNAUTHENTICATED, "no", { reason: ErrorReason.UNKNOWN_SERVICE_CREDENTIAL }),
    /refuses the gateway's credential \(UNKNOWN_SERVICE_CREDENTIAL\)/,
  ],
  [
    "credential of the wrong scope",
    () => new RpcError(Code.PERMISSION_DENIED, "no", { reason: ErrorReason.INSUFFICIENT_SCOPE }),
    /credential/,
  ],
  ["no connection", () => new RpcError(Code.UNAVAILABLE, "connect ECONNREFUSED"), /^directory unavailable: connect ECONNREFUSED/],
  ["too slow", () => new RpcError(Code.DEADLINE_EXCEEDED, "deadline"), /did not answer in time/],
  ["store failure", () => new RpcError(Code.INTERNAL, "internal error"), /INTERNAL/],
  ["not an RPC error", () => new Error("boom"), /probe failed: boom/],
];

for (const [name, answer, reason] of cases)
  test(`readiness: ${name}`, async () => {
    const readiness = await createReadinessCheck(directoryAnswering(answer).directory)();
    if (reason === undefined) assert.deepEqual(readiness, { ready: true });
    else {
      assert.equal(readiness.ready, false);
      assert.match(readiness.ready ? "" : readiness.reason, reason);
    }
  });

test("readiness: concurrent probes share one call, and the answer is reused while fresh", async () => {
  const { directory, calls } = directoryAnswering(() => new RpcError(Code.UNAVAILABLE, "down"));
  const check = createReadinessCheck(directory, { cacheMs: 60_000 });
  await Promise.all([check(), check(), check()]);
  await check();
  assert.equal(calls.count, 1);
  const uncached = createReadinessCheck(directory, { cacheMs: 0 });
  await uncached();
  await uncached();
  assert.equal(calls.count, 3);
});
