import { test } from "node:test";
import assert from "node:assert/strict";
import { explainListenFailure } from "./explain-listen-failure.js";

const settings = { port: "CONSOLE_PORT", host: "CONSOLE_HOST" };
const failure = (code: string) => Object.assign(new Error(code), { code, syscall: "listen", address: "10.9.9.9", port: 8090 });

test("a failure to listen names the service's own setting and what to change", () => {
  const rows: Array<[string, RegExp]> = [
    ["EADDRINUSE", /^CONSOLE_PORT: 10\.9\.9\.9:8090 is already in use; stop the other process or choose another port$/],
    ["EACCES", /^CONSOLE_PORT: no permission to listen on 10\.9\.9\.9:8090; use a port above 1023 behind a proxy$/],
    ["EADDRNOTAVAIL", /^CONSOLE_HOST: 10\.9\.9\.9 is not an address of this machine$/],
  ];
  for (const [code, message] of rows) {
    const explanation = explainListenFailure(failure(code), settings);
    assert.match(explanation?.message ?? "", message, code);
    assert.equal(explanation?.exitCode, 2, code);
  }
});

test("anything but a failure to listen is left to other explanations", () => {
  assert.equal(explainListenFailure(Object.assign(new Error("x"), { code: "ECONNREFUSED", syscall: "connect" }), settings), undefined);
  assert.equal(explainListenFailure(Object.assign(new Error("x"), { code: "EIO", syscall: "listen" }), settings), undefined);
  assert.equal(explainListenFailure("not an error", settings), undefined);
});
