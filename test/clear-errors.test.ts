// Every start and admin failure a person can cause ends with one line naming the setting or the
// command to fix, exit code 2 for what a setting or command fixes and 1 for a runtime failure, and
// no stack trace unless LOG_LEVEL=debug.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type DatabaseLocation } from "@scimgw/directory";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const programs = {
  directory: path.join(root, "services/directory/dist/main.js"),
  gateway: path.join(root, "services/gateway/dist/main.js"),
  admin: path.join(root, "services/directory/dist/admin/main.js"),
  start: path.join(root, "scripts/start.mjs"),
};
/** Nothing listens on port 1: a PostgreSQL that cannot be reached. */
const unreachablePostgres = "postgres://postgres@127.0.0.1:1/test";

interface Outcome {
  code: number | null;
  stderr: string;
}

/** Runs a program to its end (it must end by itself: a failed start never hangs). */
function run(program: keyof typeof programs, args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [programs[program], ...args],
      // Metrics on free ports, not the fixed defaults: other suites run beside this one.
      { env: { PATH: process.env.PATH, GATEWAY_METRICS_PORT: "0", DIRECTORY_METRICS_PORT: "0", ...env }, timeout: 60_000 },
      () => resolve({ code: child.exitCode, stderr }),
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
  });
}

/** Exactly one line on stderr, matching `line`, and the exit code. */
function assertOneLine(outcome: Outcome, line: RegExp, code: number): void {
  const lines = outcome.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${outcome.stderr}`);
  assert.match(lines[0]!, line);
  assert.equal(outcome.code, code, outcome.stderr);
}

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address !== null ? address.port : 0 });
    });
  });
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "scimgw-errors-"));
});
after(() => rm(scratch, { recursive: true, force: true }));

describe("ports", () => {
  let taken: { server: Server; port: number };
  before(async () => {
    taken = await listen();
  });
  after(() => taken.server.close());

  test("gateway: a port in use names GATEWAY_PORT, exit 2", async () => {
    const outcome = await run("gateway", [], { GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: String(taken.port), DIRECTORY_CREDENTIAL: "x" });
    assertOneLine(outcome, new RegExp(`^gateway: GATEWAY_PORT: 127\\.0\\.0\\.1:${taken.port} is already in use`), 2);
  });

  test("directory: a port in use names DIRECTORY_PORT, exit 2", async () => {
    const outcome = await run("directory", [], { DATA_DIR: path.join(scratch, "ports"), DIRECTORY_PORT: String(taken.port) });
    assertOneLine(outcome, new RegExp(`^directory: DIRECTORY_PORT: 127\\.0\\.0\\.1:${taken.port} is already in use`), 2);
  });
});

describe("DATA_DIR", () => {
  let file: string;
  before(async () => {
    file = path.join(scratch, "a-file");
    await writeFile(file, "");
  });

  for (const [program, args] of [
    ["directory", []],
    ["admin", ["tenants", "list"]],
    ["start", []],
  ] as const)
    test(`${program}: a DATA_DIR that is a file is named, exit 2`, async () => {
      const outcome = await run(program, [...args], { DATA_DIR: file });
      assertOneLine(
        outcome,
        /^(directory|scimgw-admin|start): DATA_DIR: \S*a-file cannot be created as a folder: a file is in the way$/,
        2,
      );
    });

  test("directory: a DATA_DIR it may not write is named, exit 2", async () => {
    // root writes anywhere a mode bit forbids; /sys refuses even root.
    let unwritable = "/sys/scimgw-data";
    if (process.getuid?.() !== 0) {
      const locked = path.join(scratch, "locked");
      await mkdir(locked, { mode: 0o500 });
      await chmod(locked, 0o500);
      unwritable = path.join(locked, "data");
    }
    const outcome = await run("directory", [], { DATA_DIR: unwritable });
    assertOneLine(outcome, /^directory: DATA_DIR: no permission to write \S*(scimgw-)?data/, 2);
  });
});

for (const store of await storeKindsUnderTest())
  describe(`database state on ${store}`, () => {
    const schema = uniqueSchemaName("errors");
    let dataDir: string;
    const env = (): Record<string, string> =>
      store === "postgres" ? { DATA_DIR: dataDir, DATABASE_URL: testPostgresUrl, DATABASE_SCHEMA: schema } : { DATA_DIR: dataDir };
    const location = (): DatabaseLocation =>
      store === "postgres"
        ? { kind: "postgres", url: testPostgresUrl, schema, poolMax: 2, statementTimeoutMs: 30_000 }
        : { kind: "sqlite", filename: path.join(dataDir, "directory.sqlite") };
    before(async () => {
      dataDir = await mkdtemp(path.join(scratch, `${store}-`));
    });
    after(async () => {
      if (store !== "postgres") return;
      const db = openDatabase(location());
      await db.raw("drop schema if exists ?? cascade", [schema]).finally(() => db.destroy());
    });

    test("admin on a database never initialised says to run migrate, exit 2", async () => {
      const outcome = await run("admin", ["tenants", "list"], env());
      assertOneLine(outcome, /^scimgw-admin: the database is not initialised; run `pnpm admin migrate`/, 2);
    });

    test("a database migrated by a newer build is refused by the directory and the admin, exit 2", async () => {
      assert.equal((await run("admin", ["migrate"], env())).code, 0);
      const db = openDatabase(location());
      await db("knex_migrations")
        .insert({ name: "9999-from-a-newer-build", batch: 99, migration_time: new Date() })
        .finally(() => db.destroy());
      const line =
        /: the database was migrated by a newer build \(unknown migrations: 9999-from-a-newer-build\); run that build or a newer one/;
      assertOneLine(await run("directory", [], { ...env(), DIRECTORY_PORT: "0" }), line, 2);
      assertOneLine(await run("admin", ["tenants", "list"], env()), line, 2);
    });
  });

describe("unreachable PostgreSQL", () => {
  test("directory start names DATABASE_URL, exit 1", async () => {
    const outcome = await run("directory", [], { DATA_DIR: scratch, DATABASE_URL: unreachablePostgres });
    assertOneLine(outcome, /^directory: DATABASE_URL: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/, 1);
  });

  test("admin names DATABASE_URL, exit 1", async () => {
    const outcome = await run("admin", ["tenants", "list"], { DATA_DIR: scratch, DATABASE_URL: unreachablePostgres });
    assertOneLine(outcome, /^scimgw-admin: DATABASE_URL: cannot reach PostgreSQL/, 1);
  });

  test("copy-store names --to, exit 1", async () => {
    const dataDir = path.join(scratch, "copy-source");
    assert.equal((await run("admin", ["migrate"], { DATA_DIR: dataDir })).code, 0);
    const outcome = await run("admin", ["copy-store", "--to", unreachablePostgres], { DATA_DIR: dataDir });
    assertOneLine(outcome, /^scimgw-admin: copy-store --to: cannot reach PostgreSQL at 127\.0\.0\.1:1/, 1);
  });
});

test("LOG_LEVEL=debug adds the stack trace below the line", async () => {
  const outcome = await run("admin", ["tenants", "list"], { DATA_DIR: scratch, DATABASE_URL: unreachablePostgres, LOG_LEVEL: "debug" });
  const [line, ...rest] = outcome.stderr.trimEnd().split("\n");
  assert.match(line ?? "", /^scimgw-admin: DATABASE_URL: cannot reach PostgreSQL/);
  assert.match(rest.join("\n"), /^\s+at /m);
  assert.equal(outcome.code, 1);
});
