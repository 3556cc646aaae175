import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, describeFailure } from "./index.js";

const explainNothing = () => undefined;

test("a ConfigError with one problem is one line naming the setting, exit 2", () => {
  assert.deepEqual(describeFailure(new ConfigError(["PORT: must be a number"]), explainNothing), {
    message: "invalid setting PORT: must be a number",
    exitCode: 2,
  });
});

test("a ConfigError with several problems lists each on its own line, exit 2", () => {
  const { message, exitCode } = describeFailure(new ConfigError(["A: bad", "B: bad"]), explainNothing);
  assert.equal(exitCode, 2);
  assert.match(message, /A: bad\n.*B: bad/);
});

test("the program's own explanation wins; anything unexplained is exit 1 with its message", () => {
  const explain = (error: unknown) => (error instanceof RangeError ? ({ message: "fix X", exitCode: 2 } as const) : undefined);
  assert.deepEqual(describeFailure(new RangeError("r"), explain), { message: "fix X", exitCode: 2 });
  assert.deepEqual(describeFailure(new Error("boom"), explain), { message: "failed: boom", exitCode: 1 });
});
