import { test } from "node:test";
import assert from "node:assert/strict";
import { explainStartFailure } from "./explain-start-failure.js";

const listenError = (code: string) => Object.assign(new Error(code), { code, syscall: "listen", address: "0.0.0.0", port: 80 });

const cases: Array<[string, unknown, RegExp | undefined]> = [
  ["port in use", listenError("EADDRINUSE"), /^GATEWAY_PORT: 0\.0\.0\.0:80 is already in use/],
  ["privileged port", listenError("EACCES"), /^GATEWAY_PORT: no permission/],
  ["host not of this machine", listenError("EADDRNOTAVAIL"), /^GATEWAY_HOST: 0\.0\.0\.0 is not an address/],
  ["rate-limit store down", Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), /^RATE_LIMIT_DATABASE_URL: cannot reach/],
  ["anything else", new Error("boom"), undefined],
];

for (const [name, error, message] of cases)
  test(`start failure: ${name}`, () => {
    const explanation = explainStartFailure(error);
    if (message === undefined) assert.equal(explanation, undefined);
    else assert.match(explanation?.message ?? "", message);
  });
