// `pnpm start` as a person runs it (scripts/start.mjs, after the build): it comes up at any
// LOG_LEVEL, shows the first API key once the product is up (even after a failed first start),
// and a signal at any moment leaves no process behind.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./support/product.js";

const startScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "../scripts/start.mjs");

interface Start {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Start> {
  const settings = {
    PATH: process.env.PATH,
    DIRECTORY_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    CONSOLE_PORT: String(await freePort()),
    // Free ports, not the fixed defaults: other suites run beside this one.
    GATEWAY_METRICS_PORT: "0",
    DIRECTORY_METRICS_PORT: "0",
    ...env,
  };
  const child = spawn(process.execPath, [startScript], { env: settings, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits (generously: the machine may be busy) until `condition` holds or the start ends. */
async function until(run: Start, condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  let ended = false;
  void run.exited.then(() => {
    ended = true;
  });
  while (!condition()) {
    if (ended || performance.now() > deadline) assert.fail(`${what} did not happen:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the product and waits until `condition` holds, starting again on other ports when one
 * that freePort found was taken before a service bound it: freePort cannot reserve a port, and the
 * services' own metrics listeners (port 0) or another suite's processes may be handed it first.
 */
async function startUntil(env: Record<string, string>, condition: (run: Start) => boolean, what: string): Promise<Start> {
  for (let attempt = 1; ; attempt += 1) {
    const run = await start(env);
    try {
      await until(run, () => condition(run), what);
      return run;
    } catch (error) {
      if (attempt === 5 || !/ is already in use/.test(run.stderr())) throw error;
      await run.exited;
    }
  }
}

/** The processes the start script runs, by pid and command line. */
function childrenOf(pid: number): Array<{ pid: number; args: string }> {
  try {
    return execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        const [pid, ...args] = line.trim().split(/\s+/);
        return { pid: Number(pid), args: args.join(" ") };
      });
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "scimgw-start-"));
});
after(() => rm(scratch, { recursive: true, force: true }));

for (const level of ["warn", "error", "debug"])
  test(`comes up with LOG_LEVEL=${level}, prints the base URL and the first key on stdout, and stops cleanly`, async () => {
    const dataDir = path.join(scratch, level);
    const run = await startUntil({ DATA_DIR: dataDir, LOG_LEVEL: level }, (run) => run.stdout().includes("Stop:"), "the start");
    const port = /SCIM base URL: +http:\/\/localhost:(\d+)\/services\/scim\/v2$/m.exec(run.stdout())?.[1];
    assert.ok(port !== undefined, run.stdout());
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.match(run.stdout(), /API key: +scimgw_\S+$/m);
    assert.equal(existsSync(path.join(dataDir, "first-api-key")), false, "a shown key is not kept on disk");
    const consoleUrl = /Console: +(http:\/\/localhost:\d+) /m.exec(run.stdout())?.[1];
    assert.ok(consoleUrl !== undefined, run.stdout());
    assert.equal((await fetch(`${consoleUrl.replace("localhost", "127.0.0.1")}/login`)).status, 200);
    const services = childrenOf(run.child.pid!);
    assert.equal(services.length, 3, JSON.stringify(services));
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, "a stop asked for once the product is up is a normal end");
    for (const service of services) assert.equal(alive(service.pid), false, service.args);
  });

test("a first start that fails after bootstrap keeps the key for the next start, which shows it", async () => {
  const dataDir = path.join(scratch, "failed-first");
  const taken = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => taken.once("listening", resolve));
  const address = taken.address();
  const takenPort = String(typeof address === "object" && address !== null ? address.port : 0);
  const failed = await start({ DATA_DIR: dataDir, LOG_LEVEL: "warn", GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: takenPort });
  const code = await failed.exited;
  taken.close();
  assert.equal(code, 2, failed.stderr());
  assert.match(failed.stderr(), /^gateway: GATEWAY_PORT: .* is already in use/m);
  assert.match(failed.stderr(), /^start: the gateway exited \(code 2\) before it was ready; stopping$/m);
  assert.doesNotMatch(failed.stdout(), /API key/);
  const pending = (await readFile(path.join(dataDir, "first-api-key"), "utf8")).trim();

  const second = await startUntil({ DATA_DIR: dataDir, LOG_LEVEL: "warn" }, (run) => run.stdout().includes("Stop:"), "the second start");
  assert.match(second.stdout(), new RegExp(`API key: +${pending}$`, "m"));
  second.child.kill("SIGINT");
  assert.equal(await second.exited, 0);
});

test("SIGTERM before the product is ready stops every process it started", async () => {
  // A credential the directory refuses: the gateway runs but never becomes ready.
  let services: Array<{ pid: number; args: string }> = [];
  const run = await startUntil(
    { DATA_DIR: path.join(scratch, "never-ready"), LOG_LEVEL: "warn", DIRECTORY_CREDENTIAL: "scimgw_svc_refused" },
    (run) => {
      services = childrenOf(run.child.pid!);
      return services.some((service) => service.args.includes("gateway/dist/main.js"));
    },
    "the gateway's launch",
  );
  assert.ok(services.some((service) => service.args.includes("directory/dist/main.js")));
  run.child.kill("SIGTERM");
  assert.equal(await run.exited, 143, "a start stopped before it was up did not succeed");
  assert.doesNotMatch(run.stdout(), /SCIM gateway is running/);
  for (const service of services) assert.equal(alive(service.pid), false, `${service.args} was left behind`);
});
