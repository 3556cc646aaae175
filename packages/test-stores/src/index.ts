import { randomBytes } from "node:crypto";
import pg from "pg";

export type StoreKind = "sqlite" | "postgres";

/** The PostgreSQL server the suites use; CI provides this one. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other suite uses, for isolating a suite's tables. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

async function postgresProblemOnce(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Asks three times, a second apart: on a loaded machine (the suites run many processes at once)
 * one connection may time out, and in CI a single miss would fail the whole run.
 */
async function postgresProblem(): Promise<string | undefined> {
  let problem: string | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    problem = await postgresProblemOnce();
    if (problem === undefined) return undefined;
    if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return problem;
}

let discovered: Promise<StoreKind[]> | undefined;

/**
 * SQLite always; PostgreSQL when the server answers. In CI (CI=true or REQUIRE_POSTGRES=1) an
 * unreachable PostgreSQL throws; elsewhere a banner says loudly that the PostgreSQL half did not
 * run, and how to run it.
 */
export async function storeKindsUnderTest(): Promise<StoreKind[]> {
  discovered ??= (async (): Promise<StoreKind[]> => {
    const problem = await postgresProblem();
    if (problem === undefined) return ["sqlite", "postgres"];
    const message = `PostgreSQL at ${testPostgresUrl} is unreachable (${problem}).`;
    if (process.env.CI === "true" || process.env.REQUIRE_POSTGRES === "1") {
      throw new Error(`${message} CI requires the PostgreSQL suites: start the server (.ci/run does) and run again.`);
    }
    const bar = "!".repeat(100);
    process.stderr.write(
      `\n${bar}\n!! THE POSTGRESQL SUITES DID NOT RUN: ${message}\n` +
        "!! Only SQLite was tested. Start PostgreSQL, or point TEST_DATABASE_URL=postgres://user@host:port/db at one, and run the tests again.\n" +
        `${bar}\n\n`,
    );
    return ["sqlite"];
  })();
  // Awaited here, so each caller awaits a promise of its own rather than the first caller's: when
  // several test files share a process (scripts/test-in-shards.mjs), node:test finds the suite a
  // test belongs to through the async context its registration ran in, which awaiting the shared
  // promise directly would take from the first file.
  return [...(await discovered)];
}
