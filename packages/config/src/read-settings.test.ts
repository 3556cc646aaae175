import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { ConfigError, readSettings } from "./index.js";

const settings = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres:\/\//, "must be postgres://…")
    .optional(),
});

test("valid settings come back parsed, with defaults", () => {
  assert.deepEqual(readSettings(settings, { PORT: "9090" }), { PORT: 9090 });
  assert.deepEqual(readSettings(settings, {}), { PORT: 8080 });
});

test("every bad setting is named with the value found, in one error", () => {
  assert.throws(
    () => readSettings(settings, { PORT: "99999", DATABASE_URL: "mysql://x" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 2);
      assert.match(error.message, /^invalid settings:\n {2}- PORT: .* \(got "99999"\)/);
      assert.match(error.message, /DATABASE_URL: must be postgres:\/\/… \(got "mysql:\/\/x"\)/);
      return true;
    },
  );
});

test("a secret setting is shown by its length only", () => {
  assert.throws(
    () => readSettings(settings, { DATABASE_URL: "mysql://user:hunter2@db" }, { secrets: ["DATABASE_URL"] }),
    (error: unknown) =>
      error instanceof ConfigError && !error.message.includes("hunter2") && /a value of 23 characters, not shown/.test(error.message),
  );
});
