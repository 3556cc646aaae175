/**
 * Whether a driver error is a unique-index violation: SQLite reports SQLITE_CONSTRAINT with
 * "UNIQUE constraint failed", PostgreSQL reports SQLSTATE 23505. Only the index decides a race
 * between two writers reliably, so callers turn this into ALREADY_EXISTS.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "23505") return true;
  return code === "SQLITE_CONSTRAINT" && typeof message === "string" && message.includes("UNIQUE constraint failed");
}
