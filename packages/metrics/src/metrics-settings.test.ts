import { test } from "node:test";
import assert from "node:assert/strict";
import { metricsPort } from "./metrics-settings.js";

test("a metrics port is a port number or off, and its default when unset", () => {
  const port = metricsPort(9464);
  assert.equal(port.parse(undefined), 9464);
  assert.equal(port.parse("9465"), 9465);
  assert.equal(port.parse("0"), 0);
  assert.equal(port.parse("off"), undefined);
  assert.equal(port.safeParse("70000").success, false);
  assert.equal(port.safeParse("no").success, false);
});
