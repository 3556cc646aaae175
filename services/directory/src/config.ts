import path from "node:path";
import { z } from "zod";
import type { DatabaseLocation } from "./database/open-database.js";

/** A setting that failed validation, named as the user wrote it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const port = z.coerce.number().int().min(0).max(65535);

const settings = z.object({
  DATA_DIR: z.string().min(1).default("data"),
  DATABASE_URL: z
    .string()
    .regex(/^sqlite:.+/, "must be sqlite:<path to the database file>")
    .optional(),
  DIRECTORY_HOST: z.string().min(1).default("127.0.0.1"),
  DIRECTORY_PORT: port.default(50051),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface DirectoryConfig {
  dataDir: string;
  database: DatabaseLocation;
  host: string;
  port: number;
  logLevel: string;
}

/**
 * Reads the directory's settings from the environment once, at start. Every problem is reported
 * at once, by the variable's name, so a bad deployment fails with a message that says what to fix.
 */
export function loadDirectoryConfig(env: NodeJS.ProcessEnv): DirectoryConfig {
  const parsed = settings.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`));
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  const filename = parsed.data.DATABASE_URL?.slice("sqlite:".length) ?? path.join(dataDir, "directory.sqlite");
  return {
    dataDir,
    database: { kind: "sqlite", filename: path.resolve(dataDir, filename) },
    host: parsed.data.DIRECTORY_HOST,
    port: parsed.data.DIRECTORY_PORT,
    logLevel: parsed.data.LOG_LEVEL,
  };
}
