import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ConfigError, loadDirectoryConfig } from "./config.js";

test("the database defaults to a SQLite file in the data folder", () => {
  const config = loadDirectoryConfig({ DATA_DIR: "/tmp/scimgw-data" });
  assert.deepEqual(config.database, { kind: "sqlite", filename: "/tmp/scimgw-data/directory.sqlite" });
  assert.equal(config.port, 50051);
  assert.equal(loadDirectoryConfig({}).dataDir, path.resolve("data"));
});

test("DATABASE_URL names another SQLite file", () => {
  assert.equal(loadDirectoryConfig({ DATA_DIR: "/d", DATABASE_URL: "sqlite:/var/lib/x.sqlite" }).database.filename, "/var/lib/x.sqlite");
  assert.equal(loadDirectoryConfig({ DATA_DIR: "/d", DATABASE_URL: "sqlite:rel.sqlite" }).database.filename, "/d/rel.sqlite");
});

test("bad settings are named", () => {
  assert.throws(() => loadDirectoryConfig({ DIRECTORY_PORT: "99999", DATABASE_URL: "mysql://x" }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /DIRECTORY_PORT/);
    assert.match(error.message, /DATABASE_URL: must be sqlite:/);
    return true;
  });
});
