import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzSettingsOf } from "./fuzz-settings.js";

test("without settings a property runs its quick count with the fixed seed", () => {
  assert.deepEqual(fuzzSettingsOf({}), { multiplier: 1, seed: 20260511 });
});

test("FUZZ_RUNS multiplies, FUZZ_SEED and FUZZ_PATH replay", () => {
  assert.deepEqual(fuzzSettingsOf({ FUZZ_RUNS: "100", FUZZ_SEED: "-42", FUZZ_PATH: "3:1:0" }), {
    multiplier: 100,
    seed: -42,
    path: "3:1:0",
  });
});

test("FUZZ_SEED=random draws a seed", () => {
  assert.equal(fuzzSettingsOf({ FUZZ_SEED: "random" }, () => 0.5).seed, 1073741823);
});

test("bad settings are errors naming the setting", () => {
  assert.throws(() => fuzzSettingsOf({ FUZZ_RUNS: "0" }), /FUZZ_RUNS/);
  assert.throws(() => fuzzSettingsOf({ FUZZ_RUNS: "lots" }), /FUZZ_RUNS/);
  assert.throws(() => fuzzSettingsOf({ FUZZ_SEED: "abc" }), /FUZZ_SEED/);
});
