import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { productEnvOf } from "./settings.js";

describe("PRODUCT_ENV", () => {
  test("is a JSON object of strings, or nothing", () => {
    assert.deepEqual(productEnvOf(undefined), {});
    assert.deepEqual(productEnvOf(" "), {});
    assert.deepEqual(productEnvOf('{"DIRECTORY_TENANT_CONCURRENCY":"16","LOG_LEVEL":"debug"}'), {
      DIRECTORY_TENANT_CONCURRENCY: "16",
      LOG_LEVEL: "debug",
    });
    for (const raw of ["16", "[]", "null", '{"DIRECTORY_TENANT_CONCURRENCY":16}', "{"])
      assert.throws(() => productEnvOf(raw), /must be a JSON object of strings/, raw);
  });

  test("refuses a log level that would hide the lines the harness waits for", () => {
    for (const level of ["warn", "error", "fatal", "silent"])
      assert.throws(() => productEnvOf(JSON.stringify({ LOG_LEVEL: level })), new RegExp(`LOG_LEVEL "${level}" hides`), level);
  });
});
