import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TemporaryDatabase } from "./stores-under-test.js";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * What tsconfig.build.json leaves out of the build, read from it so the two cannot disagree: files
 * by suffix (its tests) and folders by name (test-support), the only two forms of pattern it uses;
 * a pattern of any other form fails here rather than being misread.
 */
const excluded = (() => {
  const { exclude = [] } = JSON.parse(readFileSync(path.join(packageDir, "tsconfig.build.json"), "utf8")) as { exclude?: string[] };
  const suffixes: string[] = [];
  const folders: string[] = [];
  for (const pattern of exclude) {
    const file = /^src\/\*\*\/\*(\.[\w.-]+)$/.exec(pattern);
    const folder = /^src\/\*\*\/([\w.-]+)\/\*\*$/.exec(pattern);
    if (file?.[1] !== undefined) suffixes.push(file[1]);
    else if (folder?.[1] !== undefined) folders.push(folder[1]);
    else throw new Error(`run-admin.ts cannot read the exclusion "${pattern}" of tsconfig.build.json; teach it that form`);
  }
  return { suffixes, folders };
})();

/**
 * How to start the CLI: the built one, as operators run it, when it is at least as new as every
 * source file it is built from (turbo builds this package before its tests); else, after an edit
 * not yet built, the sources through tsx. The built one starts in about a quarter of the CPU time
 * (0.7 against 2.5–3.3 s a call, measured in CI), and these suites run it dozens of times.
 */
const adminCommand: string[] = (() => {
  const built = path.join(packageDir, "dist/admin/main.js");
  const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt !== undefined && newestSourceAt(path.join(packageDir, "src")) <= builtAt) return [built];
  return ["--import", "tsx", "src/admin/main.ts"];
})();

/** When the newest of the sources the build compiles was written. */
function newestSourceAt(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const at = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!excluded.folders.includes(entry.name)) newest = Math.max(newest, newestSourceAt(at));
    } else if (entry.name.endsWith(".ts") && !excluded.suffixes.some((suffix) => entry.name.endsWith(suffix)))
      newest = Math.max(newest, statSync(at).mtimeMs);
  }
  return newest;
}

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
    const child = spawn(process.execPath, [...adminCommand, ...args], {
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
