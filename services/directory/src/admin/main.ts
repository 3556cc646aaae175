#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import path from "node:path";
import { CommanderError } from "commander";
import { exitWithFailure } from "@scimgw/config";
import { loadDirectoryConfig } from "../config.js";
import { openDatabase } from "../database/open-database.js";
import { explainDirectoryFailure } from "../errors/explain-failure.js";
import type { AdminContext } from "./admin-context.js";
import { createAdminProgram } from "./admin-program.js";

/**
 * scimgw-admin: tenants, API keys and a look at what identity providers pushed. It reads the same
 * settings as the directory (DATA_DIR, DATABASE_URL), so it works on the same database.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadDirectoryConfig(process.env);
  if (config.database.kind === "sqlite") mkdirSync(path.dirname(config.database.filename), { recursive: true, mode: 0o700 });
  const db = openDatabase(config.database);
  const context: AdminContext = { db, out: process.stdout, readInput: readPipedStdin };
  const program = createAdminProgram(context, config.database, (text) => {
    usageErrorPrinted = true;
    process.stderr.write(text);
  });
  try {
    await program.parseAsync(argv);
  } finally {
    await db.destroy();
  }
}

/** What was piped to stdin; undefined when stdin is a terminal (nothing would end the read). */
async function readPipedStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Whether commander printed its usage error itself. A command's own InvalidArgumentError (thrown
 * by an action, e.g. neither --tenant nor --all-tenants) is a CommanderError it never prints.
 */
let usageErrorPrinted = false;

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help or --version asked for: done. A usage error: exit 2, with its message if nobody showed it.
    if (error.exitCode === 0) process.exit(0);
    if (!usageErrorPrinted) process.stderr.write(`scimgw-admin: ${error.message.replace(/^error: /, "")}\n`);
    process.exit(2);
  }
  exitWithFailure("scimgw-admin", error, explainDirectoryFailure(process.env));
});
