import type { Knex } from "knex";

/** Where command output goes; tests capture it. */
export interface Output {
  write(text: string): void;
}

/**
 * What every admin command runs against. Commands use the store directly, so they work whether or
 * not the directory server is running (SQLite's busy timeout and WAL let both processes share the file).
 */
export interface AdminContext {
  db: Knex;
  out: Output;
  /**
   * Everything piped to the command (a secret given with --password-stdin, so it never appears in
   * the shell history or the process list); undefined when stdin is a terminal or not available.
   */
  readInput?: () => Promise<string | undefined>;
}
