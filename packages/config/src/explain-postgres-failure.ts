import type { Explanation } from "./exit-with-failure.js";

interface ConnectionFailure {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  name?: unknown;
  message?: unknown;
  errors?: unknown;
}

/**
 * A failure to reach or log in to PostgreSQL, explained by the setting (or option) that names the
 * database: `DATABASE_URL`, `RATE_LIMIT_DATABASE_URL`, `copy-store --to`. Undefined for anything
 * else. Only codes are read: the message of a pg error may quote the URL, password included.
 */
export function explainPostgresFailure(error: unknown, setting: string): Explanation | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  // Node reports "localhost" tried on ::1 and 127.0.0.1 as an AggregateError; its first error says enough.
  const failure = (
    Array.isArray((error as ConnectionFailure).errors) ? (error as { errors: unknown[] }).errors[0] : error
  ) as ConnectionFailure;
  const where = failure.address !== undefined ? ` at ${String(failure.address)}:${String(failure.port)}` : "";
  switch (failure.code ?? (error as ConnectionFailure).code) {
    // Nothing listens there, or nothing answers: PostgreSQL is down or the URL's host/port is wrong.
    case "ECONNREFUSED":
    case "ECONNRESET":
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return {
        message: `${setting}: cannot reach PostgreSQL${where} (${String(failure.code)}); start it, or correct the host and port`,
        exitCode: 1,
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { message: `${setting}: the host ${String(failure.hostname ?? "")} of the PostgreSQL URL does not resolve`, exitCode: 2 };
    // SQLSTATE 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba entry, no such role).
    case "28P01":
    case "28000":
      return { message: `${setting}: PostgreSQL refused the user or password of the URL (SQLSTATE ${String(failure.code)})`, exitCode: 2 };
    // SQLSTATE 3D000 invalid_catalog_name: the URL's database does not exist.
    case "3D000":
      return {
        message: `${setting}: the database named in the URL does not exist on that PostgreSQL server (create it first)`,
        exitCode: 2,
      };
    default:
      break;
  }
  // Knex gives up waiting for a connection that never opened (a host that drops packets).
  if ((error as ConnectionFailure).name === "KnexTimeoutError")
    return { message: `${setting}: no connection to PostgreSQL within the timeout; is the host reachable?`, exitCode: 1 };
  return undefined;
}
