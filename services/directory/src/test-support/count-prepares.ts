import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
type DatabaseMethod = (...args: unknown[]) => unknown;
const sqlite3 = require("sqlite3") as { Database: { prototype: Record<"prepare" | "run" | "all", DatabaseMethod> } };

/**
 * Counts the statements node-sqlite3 prepares: through prepare(), which the kept-statement path
 * calls, and through Database#run and #all, which prepare a statement, run and finalize it (knex's
 * own path).
 */
export function countPrepares(): { count: () => number; restore: () => void } {
  const { prototype } = sqlite3.Database;
  const originals = { prepare: prototype.prepare, run: prototype.run, all: prototype.all };
  let prepared = 0;
  for (const method of ["prepare", "run", "all"] as const)
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      prepared++;
      return originals[method].apply(this, args);
    };
  return {
    count: () => prepared,
    restore: () => Object.assign(prototype, originals),
  };
}
