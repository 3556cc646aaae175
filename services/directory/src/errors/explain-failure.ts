import { InvalidArgumentError } from "commander";
import { RpcError } from "@scimgw/grpc";
import { ScimError } from "@scimgw/scim";
import { explainPostgresFailure, type ExplainFailure, type Explanation } from "@scimgw/config";
import { SchemaMismatchError } from "../database/migrations/schema-version.js";
import { BackupError } from "./backup-error.js";
import { CopyStoreError } from "./copy-store-error.js";

/** How the admin CLI is run, in the messages that tell a person which command to run. */
const admin = "pnpm admin";

/** A failure of a database other than the configured one, labelled with the option that names it (copy-store --to). */
export class OtherDatabaseError extends Error {
  constructor(
    readonly setting: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "OtherDatabaseError";
  }
}

interface SystemFailure {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
}

function explainSchema(error: SchemaMismatchError): Explanation {
  switch (error.kind) {
    // A fresh store: nothing to read yet, and the admin CLI must not migrate behind an operator's back.
    case "uninitialised":
      return { message: `the database is not initialised; run \`${admin} migrate\` (or \`${admin} bootstrap\`) first`, exitCode: 2 };
    // An older schema: the directory migrates at start; the admin CLI asks first.
    case "behind":
      return { message: `${error.message}; run \`${admin} migrate\` first`, exitCode: 2 };
    // Code older than the data: running it could misread or damage rows it does not know.
    case "newer":
      return { message: `${error.message}; run that build or a newer one, not this one`, exitCode: 2 };
  }
}

/** grpc-js reports a failed bind as one message listing each address's error, without a code. */
function explainBind(message: string): Explanation | undefined {
  const where = /(?:EADDRINUSE|EACCES|EADDRNOTAVAIL)[^\]]*?(\S+:\d+)\]?$/.exec(message)?.[1] ?? "the address";
  if (message.includes("EADDRINUSE"))
    return { message: `DIRECTORY_PORT: ${where} is already in use; stop the other process or choose another port`, exitCode: 2 };
  if (message.includes("EACCES"))
    return { message: `DIRECTORY_PORT: no permission to listen on ${where}; use a port above 1023`, exitCode: 2 };
  if (message.includes("EADDRNOTAVAIL")) return { message: `DIRECTORY_HOST: ${where} is not an address of this machine`, exitCode: 2 };
  return undefined;
}

/** The folder or file of an SQLite database that cannot be created or written. */
function explainFiles(failure: SystemFailure, setting: string): Explanation | undefined {
  const where = String(failure.path ?? "");
  switch (failure.code) {
    // A file stands where a folder must be (the path itself, or one of its parents).
    case "EEXIST":
    case "ENOTDIR":
      return { message: `${setting}: ${where} cannot be created as a folder: a file is in the way`, exitCode: 2 };
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return { message: `${setting}: no permission to write ${where} (${String(failure.code)}); choose a writable folder`, exitCode: 2 };
    // SQLite's own errors carry no path; the setting still says where to look.
    case "SQLITE_CANTOPEN":
    case "SQLITE_READONLY":
      return {
        message: `${setting}: SQLite cannot write its database file (${String(failure.code)}); choose a writable folder`,
        exitCode: 2,
      };
    default:
      return undefined;
  }
}

/**
 * The directory's one table from a failure a person can cause to what they should do, for the
 * directory's start and for the admin CLI alike. `env` says which setting names the store: an
 * SQLite path comes from DATABASE_URL when it is set, else from DATA_DIR.
 */
export function explainDirectoryFailure(env: NodeJS.ProcessEnv): ExplainFailure {
  const storeSetting = env.DATABASE_URL === undefined ? "DATA_DIR" : "DATABASE_URL";
  return (error) => {
    if (error instanceof SchemaMismatchError) return explainSchema(error);
    // The admin CLI's own refusals (bad arguments, unknown tenants, failed checks) already say what to fix.
    if (error instanceof InvalidArgumentError || error instanceof RpcError || error instanceof ScimError || error instanceof CopyStoreError)
      return { message: error.message, exitCode: 2 };
    if (error instanceof BackupError) return { message: error.message, exitCode: error.exitCode };
    if (error instanceof OtherDatabaseError)
      return explainPostgresFailure(error.cause, error.setting) ?? explainFiles(error.cause as SystemFailure, error.setting);
    const failure = (typeof error === "object" && error !== null ? error : {}) as SystemFailure;
    if (typeof failure.message === "string" && failure.message.startsWith("No address added")) return explainBind(failure.message);
    return explainPostgresFailure(error, "DATABASE_URL") ?? explainFiles(failure, storeSetting);
  };
}
