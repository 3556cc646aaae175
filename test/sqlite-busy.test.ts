// SQLite allows one writer. When another process holds the write lock longer than the
// directory's busy timeout, SCIM clients get a retryable 503, never a 500, and nothing is
// half-written; once the lock is released, writes go through again.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import sqlite3 from "sqlite3";
import { Product } from "./support/product.js";
import { randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

function run(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (error) => (error ? reject(error) : resolve())));
}

describe("a long write lock held by another process on SQLite", () => {
  let product: Product;
  before(async () => {
    product = await Product.start({ store: "sqlite" });
  });
  after(() => product.stop());

  test("is a 503 with Retry-After while it lasts, and no harm after", async () => {
    const scim = scimClient(product.baseUrl, product.apiKey);
    const before = (await scim.get("/Users?count=0")).body.totalResults as number;
    const intruder = new sqlite3.Database(path.join(product.dataDir, "directory.sqlite"));
    await run(intruder, "PRAGMA busy_timeout = 5000");
    await run(intruder, "BEGIN IMMEDIATE");
    const userName = randomUserName("busy");
    try {
      const blocked = await scim.post("/Users", { schemas: [userSchemaUrn], userName });
      assert.equal(blocked.status, 503);
      assert.ok(Number(blocked.headers.get("retry-after")) > 0);
      assert.equal(blocked.body.status, "503");
      assert.ok(blocked.body.detail);
    } finally {
      await run(intruder, "ROLLBACK");
      await new Promise((resolve) => intruder.close(resolve));
    }
    assert.equal((await scim.get("/Users?count=0")).body.totalResults, before, "the refused create left nothing behind");
    assert.equal((await scim.post("/Users", { schemas: [userSchemaUrn], userName })).status, 201);
  });
});
