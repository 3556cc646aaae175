import { test } from "node:test";
import assert from "node:assert/strict";
import { explainPostgresFailure } from "./index.js";

const cases: Array<[string, unknown, RegExp | undefined, 1 | 2 | undefined]> = [
  [
    "connection refused",
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", address: "127.0.0.1", port: 1 }),
    /^DATABASE_URL: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    1,
  ],
  [
    "localhost refused on both families",
    Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED", address: "::1", port: 5 })]), {
      code: "ECONNREFUSED",
    }),
    /at ::1:5/,
    1,
  ],
  [
    "unknown host",
    Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND", hostname: "db.invalid" }),
    /db\.invalid.*does not resolve/,
    2,
  ],
  ["wrong password", Object.assign(new Error('password authentication failed for user "x"'), { code: "28P01" }), /user or password/, 2],
  ["no such database", Object.assign(new Error("database does not exist"), { code: "3D000" }), /does not exist/, 2],
  ["pool timeout", Object.assign(new Error("Knex: Timeout acquiring a connection"), { name: "KnexTimeoutError" }), /within the timeout/, 1],
  ["something else", new Error("syntax error"), undefined, undefined],
];

for (const [name, error, message, exitCode] of cases)
  test(`PostgreSQL failure: ${name}`, () => {
    const explanation = explainPostgresFailure(error, "DATABASE_URL");
    if (message === undefined) assert.equal(explanation, undefined);
    else {
      assert.match(explanation?.message ?? "", message);
      assert.equal(explanation?.exitCode, exitCode);
    }
  });

test("the explanation never quotes the URL a message might carry", () => {
  const error = Object.assign(new Error("connect to postgres://u:hunter2@h failed"), { code: "ECONNREFUSED" });
  assert.doesNotMatch(explainPostgresFailure(error, "DATABASE_URL")?.message ?? "", /hunter2/);
});
