#!/usr/bin/env node
// Starts the product on one machine: migrates and bootstraps the directory's database, then runs
// the directory and the gateway as two processes and prints where SCIM clients should connect.
// Settings come from the environment (see README "Settings"); each service validates its own.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
env.DATA_DIR ??= path.join(root, "data");
// The data folder holds the directory's database and the gateway's credential: owner-only.
mkdirSync(env.DATA_DIR, { recursive: true, mode: 0o700 });
chmodSync(env.DATA_DIR, 0o700);
env.DIRECTORY_PORT ??= "50051";
env.GATEWAY_PORT ??= "8080";
env.DIRECTORY_ADDRESS ??= `127.0.0.1:${env.DIRECTORY_PORT}`;
// The gateway's own service credential for the directory, issued at first start and kept in the
// data folder (owner-only); bootstrap replaces it if it was revoked.
if (env.DIRECTORY_CREDENTIAL === undefined) env.DIRECTORY_CREDENTIAL_FILE ??= path.join(env.DATA_DIR, "gateway.credential");

const directoryMain = path.join(root, "services/directory/dist/main.js");
const gatewayMain = path.join(root, "services/gateway/dist/main.js");
const adminMain = path.join(root, "services/directory/dist/admin/main.js");

function bootstrap() {
  try {
    const args = env.DIRECTORY_CREDENTIAL_FILE === undefined ? [] : ["--gateway-credential-file", env.DIRECTORY_CREDENTIAL_FILE];
    const output = execFileSync(process.execPath, [adminMain, "bootstrap", ...args], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(output.trim().split("\n").pop());
  } catch {
    process.exit(2);
  }
}

/** Runs a service, echoes its log lines, and resolves once it logs `readyMessage`. */
function run(name, main, readyMessage) {
  const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      process.stdout.write(`${line}\n`);
      try {
        const entry = JSON.parse(line);
        if (entry.msg === readyMessage) resolve(entry);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  return { child, ready };
}

const state = bootstrap();
const directory = run("directory", directoryMain, "directory listening");
await directory.ready.catch(() => process.exit(1));
const gateway = run("gateway", gatewayMain, "gateway listening");
const { baseUrl } = await gateway.ready.catch(() => {
  directory.child.kill("SIGTERM");
  process.exit(1);
});

const admin = "npx --yes pnpm@10.34.9 admin";
const lines = ["", "SCIM gateway is running.", `  SCIM base URL:    ${baseUrl}`, `  Tenant:           ${state.tenant}`];
if (state.created) {
  lines.push(
    `  API key:          ${state.key}`,
    "                    (shown only this once: paste it into Okta as the HTTP Header bearer token)",
  );
} else {
  lines.push(`  API key:          issue one with \`${admin} keys issue ${state.tenant}\` (existing keys keep working)`);
}
lines.push(
  `  Check users:      ${admin} users list ${state.tenant}`,
  `  gRPC directory:   ${env.DIRECTORY_ADDRESS} (internal services: \`${admin} credentials issue <name> --scope read-only --tenant ${state.tenant}\`)`,
  "  Stop:             Ctrl+C",
  "",
);
process.stderr.write(`${lines.join("\n")}\n`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  gateway.child.kill(signal);
  directory.child.kill(signal);
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
for (const { child } of [gateway, directory]) {
  child.on("exit", (code) => {
    if (!stopping) {
      process.stderr.write(`a service exited unexpectedly (code ${code}); stopping the other\n`);
      stop("SIGTERM");
      process.exitCode = 1;
    }
  });
}
