import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { createDirectoryClient, tlsFilesFromEnv } from "@scimgw/directory-client";
import { followDeactivations } from "./follow-deactivations.js";

const logger = pino({ name: "example-consumer", level: process.env.LOG_LEVEL ?? "info" });
const tenantId = process.env.TENANT_ID;
if (!tenantId) {
  process.stderr.write("example-consumer: set TENANT_ID to the tenant's id (`pnpm admin tenants list` shows it)\n");
  process.exit(2);
}
const address = process.env.DIRECTORY_ADDRESS ?? "127.0.0.1:50051";
// Beside the product's data unless told otherwise, like the credential the pnpm script issues.
const dataDir = process.env.DATA_DIR ?? "data";
const file = path.resolve(process.env.CURSOR_FILE ?? path.join(dataDir, "example-consumer.cursor"));
mkdirSync(path.dirname(file), { recursive: true });

// `pnpm example:consumer` issues a read-only credential into this file on first run.
const credentialFile = path.resolve(process.env.DIRECTORY_CREDENTIAL_FILE ?? path.join(dataDir, "example-consumer.credential"));
let serviceCredential = process.env.DIRECTORY_CREDENTIAL;
if (serviceCredential === undefined) {
  try {
    serviceCredential = readFileSync(credentialFile, "utf8").trim();
  } catch {
    process.stderr.write(
      `example-consumer: no service credential: set DIRECTORY_CREDENTIAL, or create ${credentialFile} with\n  pnpm admin credentials ensure example-consumer --scope read-only --all-tenants --file ${credentialFile}\n`,
    );
    process.exit(2);
  }
}

const tls = tlsFilesFromEnv();
const client = createDirectoryClient({ address, serviceCredential, ...(tls ? { tls } : {}) });
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());
logger.info({ address, tenantId, cursorFile: file }, "following deactivations");
await followDeactivations(
  client,
  tenantId,
  file,
  ({ seq, userId }) => logger.info({ seq: Number(seq), userId }, "user deactivated"),
  controller.signal,
);
client.close();
logger.info("stopped");
