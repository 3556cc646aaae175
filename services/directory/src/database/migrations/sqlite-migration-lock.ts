import { open, readFile, unlink } from "node:fs/promises";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `work` while holding `<database>.migrate-lock`, a file created exclusively and holding the
 * owner's pid. SQLite offers no lock that outlives a transaction, and knex's own migration lock
 * makes a second runner fail (and stays taken if its holder dies): with this one, processes on the
 * machine queue, and a lock left by a dead process is taken over.
 */
export async function withSqliteMigrationLock<T>(databaseFile: string, work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lockFile = `${databaseFile}.migrate-lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockFile, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(lockFile, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${owner})`);
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}
