import { test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest, uniqueSchemaName } from "./index.js";

test("SQLite is always under test; PostgreSQL is too whenever CI requires it", async () => {
  const kinds = await storeKindsUnderTest();
  assert.equal(kinds[0], "sqlite");
  if (process.env.CI === "true") assert.deepEqual(kinds, ["sqlite", "postgres"]);
});

test("schema names are unique, valid identifiers", () => {
  const a = uniqueSchemaName("suite");
  assert.match(a, /^suite_[0-9a-f]{12}$/);
  assert.notEqual(uniqueSchemaName("suite"), a);
});
