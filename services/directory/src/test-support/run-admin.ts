import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TemporaryDatabase } from "./stores-under-test.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the admin CLI as an operator would, on the given database, with `input` piped to its stdin. */
export function runAdmin(
  database: Pick<TemporaryDatabase, "location">,
  args: string[],
  input = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { location } = database;
  const env =
    location.kind === "sqlite"
      ? { DATABASE_URL: `sqlite:${location.filename}` }
      : { DATABASE_URL: location.url, DATABASE_SCHEMA: location.schema ?? "public" };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/admin/main.ts", ...args], {
      cwd: packageDir,
      env: { ...process.env, DATABASE_SCHEMA: undefined, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}
