import { test } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "./password-hash.js";

test("passwords are stored as salted scrypt hashes that verify only the same password", async () => {
  const hash = await hashPassword("correct horse");
  assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.ok(!hash.includes("correct horse"));
  assert.notEqual(await hashPassword("correct horse"), hash, "salted");
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct horsE", hash), false);
  assert.equal(await verifyPassword("x", "plaintext"), false);
});

test("hashes run one at a time; a call whose signal aborts while it waits leaves the queue with the signal's reason", async () => {
  const first = hashPassword("one");
  const controller = new AbortController();
  const second = hashPassword("two", controller.signal);
  const reason = new Error("deadline");
  controller.abort(reason);
  await assert.rejects(second, (error) => error === reason);
  assert.equal(await verifyPassword("one", await first), true);
});
