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
}
