import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger } from "./create-logger.js";
import { runWithRequestId } from "./request-context.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

test("lines carry an ISO-8601 time, the level's name and the service's name", () => {
  const { lines, destination } = capture();
  createLogger({ name: "gateway", level: "info" }, destination).warn({ port: 1 }, "hello");
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line?.level, "warn");
  assert.equal(line?.name, "gateway");
  assert.match(String(line?.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.equal(line?.msg, "hello");
});

test("lines logged for a request carry its id, across awaits, and others carry none", async () => {
  const { lines, destination } = capture();
  const logger = createLogger({ name: "directory", level: "info" }, destination);
  await runWithRequestId("req-1", async () => {
    await new Promise((resolve) => setImmediate(resolve));
    logger.info("inside");
  });
  logger.info("outside");
  assert.deepEqual(
    lines.map((line) => [line.msg, line.requestId]),
    [
      ["inside", "req-1"],
      ["outside", undefined],
    ],
  );
});

test("below the level, nothing is written", () => {
  const { lines, destination } = capture();
  createLogger({ name: "gateway", level: "info" }, destination).debug("quiet");
  assert.equal(lines.length, 0);
});
