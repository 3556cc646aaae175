#!/usr/bin/env node
// Starts the product on one machine: migrates and bootstraps the directory's database, then runs
// the directory, the gateway and the console as three processes and prints where SCIM clients and
// operators should connect.
// Settings come from the environment (see README "Settings"); each service validates its own.
//
// Readiness comes from the services' health (the directory's grpc.health.v1 Check, the gateway's
// /readyz), never from their logs, so any LOG_LEVEL works. A signal at any moment stops every
// process started here, and a service that dies stops the other: nothing is left behind.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const directoryMain = path.join(root, "services/directory/dist/main.js");
const gatewayMain = path.join(root, "services/gateway/dist/main.js");
const consoleMain = path.join(root, "services/console/dist/main.js");
const adminMain = path.join(root, "services/directory/dist/admin/main.js");
const { checkHealth, connectProbe } = await import(path.join(root, "services/directory/dist/operations/directory-probe.js"));
const { tlsFilesFromEnv } = await import(path.join(root, "packages/directory-client/dist/index.js"));
const { channelCredentialsFromFiles } = await import(path.join(root, "packages/grpc/dist/index.js"));

/** How long the gateway may take to become ready once the directory is: it only has to connect. */
const gatewayReadyTimeoutMs = 30_000;
const admin = "npx --yes pnpm@10.34.9 admin";

/** Every process started here that has not exited yet. */
const children = new Set();
let stopping = false;
let ready = false;

/** One line, then every child stopped, then exit; the only way this script ends on its own. */
function stopAll(exitCode, line) {
  if (line !== undefined) process.stderr.write(`start: ${line}\n`);
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  // The services drain for at most 10 s (their own limit); past that they are killed.
  const force = setTimeout(() => {
    for (const child of children) child.kill("SIGKILL");
  }, 15_000).unref();
  const exitWhenAlone = () => {
    if (children.size > 0) return;
    clearTimeout(force);
    process.exit(exitCode);
  };
  for (const child of children) child.once("exit", exitWhenAlone);
  exitWhenAlone();
}

// Installed before anything starts, so a Ctrl+C during bootstrap or before readiness is honoured too.
// A stop asked for once the product is up is a normal end (0); before, the start did not happen.
for (const [signal, number] of [
  ["SIGINT", 2],
  ["SIGTERM", 15],
  ["SIGHUP", 1],
])
  process.on(signal, () => stopAll(ready ? 0 : 128 + number));
// A crash of this script itself must not leave the services running unsupervised.
process.on("exit", () => {
  for (const child of children) child.kill("SIGTERM");
});

/**
 * Runs a built program as a child. Children get a process group of their own (detached), so a
 * terminal's Ctrl+C reaches only this script, which stops them once, in order, with SIGTERM.
 */
function launch(name, main, args, stdout, childEnv = env) {
  const child = spawn(process.execPath, [main, ...args], { env: childEnv, stdio: ["ignore", stdout, "inherit"], detached: true });
  children.add(child);
  child.once("exit", (code, signal) => {
    children.delete(child);
    if (stopping || name === "bootstrap") return;
    // The service's own error line is above; this says what it means for the product.
    stopAll(code === 2 ? 2 : 1, `the ${name} exited (${signal ?? `code ${code}`}) ${ready ? "" : "before it was ready; "}stopping`);
  });
  return child;
}

function fail(exitCode, line) {
  stopAll(exitCode, line);
  return new Promise(() => {}); // never settles: stopAll exits
}

const env = { ...process.env };
env.DATA_DIR ??= path.join(root, "data");
// The data folder holds the directory's database, the gateway's credential and, until shown, the
// first API key: owner-only.
try {
  mkdirSync(env.DATA_DIR, { recursive: true, mode: 0o700 });
  chmodSync(env.DATA_DIR, 0o700);
} catch (error) {
  const blocked = error.code === "EEXIST" || error.code === "ENOTDIR";
  await fail(
    2,
    `DATA_DIR: ${env.DATA_DIR} ${blocked ? "cannot be created as a folder: a file is in the way" : `cannot be used (${error.code})`}`,
  );
}
env.DIRECTORY_PORT ??= "50051";
env.GATEWAY_PORT ??= "8080";
env.DIRECTORY_ADDRESS ??= `127.0.0.1:${env.DIRECTORY_PORT}`;
// The gateway's own service credential for the directory, issued at first start and kept in the
// data folder (owner-only); bootstrap replaces it if it was revoked.
if (env.DIRECTORY_CREDENTIAL === undefined) env.DIRECTORY_CREDENTIAL_FILE ??= path.join(env.DATA_DIR, "gateway.credential");
// The first API key waits here (owner-only) until a start shows it, so a start that fails after
// bootstrap does not lose it; with FIRST_API_KEY_FILE it stays in that file and is never printed.
const keyFile = env.FIRST_API_KEY_FILE ?? path.join(env.DATA_DIR, "first-api-key");
// The console's own admin-scope, all-tenants credential, beside the gateway's: issued by bootstrap
// at first start, replaced if revoked. The console gets it, and only it, as its credential.
env.CONSOLE_PORT ??= "8090";
const consoleCredentialFile = env.CONSOLE_CREDENTIAL_FILE ?? path.join(env.DATA_DIR, "console.credential");
const consoleEnv = { ...env, DIRECTORY_CREDENTIAL_FILE: consoleCredentialFile };
delete consoleEnv.DIRECTORY_CREDENTIAL;
// The SCIM base URL the setup portal shows: the gateway's public origin.
consoleEnv.SCIM_PUBLIC_BASE_URL ??= (env.PUBLIC_BASE_URL ?? `http://localhost:${env.GATEWAY_PORT}`).replace(/\/+$/, "");

async function bootstrap() {
  const args = ["bootstrap", "--key-file", keyFile, "--console-credential-file", consoleCredentialFile];
  if (env.DIRECTORY_CREDENTIAL_FILE !== undefined) args.push("--gateway-credential-file", env.DIRECTORY_CREDENTIAL_FILE);
  const child = launch("bootstrap", adminMain, args, "pipe");
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  const [code] = await new Promise((resolve) => child.once("exit", (...result) => resolve(result)));
  // Its own one-line error is above.
  if (code !== 0) await fail(code === 2 ? 2 : 1);
  return JSON.parse(output.trim().split("\n").pop());
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it says ready; the service's exit ends the wait through launch's handler. */
async function waitUntil(probe, deadline, describe) {
  let last = "no answer yet";
  while (!stopping) {
    const answer = await probe().catch((error) => error.message);
    if (answer === true) return;
    last = answer;
    if (deadline !== undefined && performance.now() > deadline) await fail(1, describe(last));
    await sleep(100);
  }
  await new Promise(() => {});
}

async function directoryServing() {
  const tls = tlsFilesFromEnv(env);
  const credentials = tls === undefined ? undefined : channelCredentialsFromFiles(tls);
  // A new channel per attempt: a channel refused once waits a second or more before it reconnects.
  const serving = async () => {
    const client = connectProbe(env.DIRECTORY_ADDRESS, credentials);
    try {
      return (await checkHealth(client, "")) === "SERVING" || "directory not serving";
    } finally {
      client.close();
    }
  };
  // No deadline: migrating a large database before the port opens may take a while, and the wait
  // ends anyway if the directory exits.
  await waitUntil(serving, undefined, String);
}

async function gatewayReady() {
  const host = env.GATEWAY_HOST === undefined || ["0.0.0.0", "::"].includes(env.GATEWAY_HOST) ? "127.0.0.1" : env.GATEWAY_HOST;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${env.GATEWAY_PORT}/readyz`;
  await waitUntil(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return response.status === 200 || ((await response.json()).reason ?? `HTTP ${response.status}`);
    },
    performance.now() + gatewayReadyTimeoutMs,
    (reason) => `the gateway is not ready after ${gatewayReadyTimeoutMs / 1000} s: ${reason}; stopping`,
  );
}

async function consoleReady() {
  const host = env.CONSOLE_HOST === undefined || ["0.0.0.0", "::"].includes(env.CONSOLE_HOST) ? "127.0.0.1" : env.CONSOLE_HOST;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${env.CONSOLE_PORT}/healthz`;
  await waitUntil(
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return response.status === 200 || `HTTP ${response.status}`;
    },
    performance.now() + gatewayReadyTimeoutMs,
    (reason) => `the console is not up after ${gatewayReadyTimeoutMs / 1000} s: ${reason}; stopping`,
  );
}

const state = await bootstrap();
launch("directory", directoryMain, [], "inherit");
await directoryServing();
launch("gateway", gatewayMain, [], "inherit");
await gatewayReady();
launch("console", consoleMain, [], "inherit", consoleEnv);
await consoleReady();
ready = true;

const baseUrl = `${(env.PUBLIC_BASE_URL ?? `http://localhost:${env.GATEWAY_PORT}`).replace(/\/+$/, "")}/services/scim/v2`;
const lines = ["", "SCIM gateway is running.", `  SCIM base URL:    ${baseUrl}`, `  Tenant:           ${state.tenant}`];
if (env.FIRST_API_KEY_FILE !== undefined && existsSync(keyFile)) {
  lines.push(`  API key:          in ${keyFile} (FIRST_API_KEY_FILE; owner-only, never printed)`);
} else if (existsSync(keyFile)) {
  lines.push(
    `  API key:          ${readFileSync(keyFile, "utf8").trim()}`,
    "                    (shown only this once: paste it into Okta as the HTTP Header bearer token)",
  );
  rmSync(keyFile);
} else {
  lines.push(`  API key:          issue one with \`${admin} keys issue ${state.tenant}\` (existing keys keep working)`);
}
const consoleUrl = env.CONSOLE_PUBLIC_URL ?? `http://localhost:${env.CONSOLE_PORT}`;
lines.push(
  `  Console:          ${consoleUrl} (sign in as an operator: \`${admin} operators add <email>\`)`,
  `  Check users:      ${admin} users list ${state.tenant}`,
  `  gRPC directory:   ${env.DIRECTORY_ADDRESS} (internal services: \`${admin} credentials issue <name> --scope read-only --tenant ${state.tenant}\`)`,
  "  Stop:             Ctrl+C",
  "",
);
process.stdout.write(`${lines.join("\n")}\n`);
