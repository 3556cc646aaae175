import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * Starts one of this package's scripts in a Node process of its own (with tsx, as this process
 * runs) and waits for the first line it prints, a JSON object saying it is ready (e.g. its port).
 */
export async function startScript<Ready>(
  script: URL,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; ready: Ready; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, script.pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error(`${script.pathname}: no stdout to read its ready line from`);
  const ready = await new Promise<Ready>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    lines.once("line", (line) => {
      try {
        resolve(JSON.parse(line) as Ready);
      } catch (error) {
        reject(new Error(`${script.pathname} printed "${line}" instead of its ready line: ${String(error)}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`${script.pathname} exited with code ${code} before it was ready`)));
  });
  return { child, ready, stop: () => stopChild(child) };
}

/** Sends SIGTERM and waits for the exit (at once if it has already exited). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}
