import { fork, spawn, type ChildProcess } from "node:child_process";
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

/**
 * Forks one of this package's scripts (with tsx, as this process runs) with an IPC channel and
 * waits for its first message, which says it is ready. `name` is what errors call it.
 */
export async function forkScript(script: URL, name: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = fork(script.pathname, { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
  return child;
}

/** Sends a forked script one job and waits for its answer: what it sends back, or its `error` thrown. */
export async function ask<Answer>(child: ChildProcess, name: string, job: object): Promise<Answer> {
  const answer = await new Promise<Answer | { error: string }>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${name} exited with code ${code}`));
    child.once("exit", onExit);
    child.once("message", (message: Answer | { error: string }) => {
      child.off("exit", onExit);
      resolve(message);
    });
    child.send(job);
  });
  if (typeof answer === "object" && answer !== null && "error" in answer) throw new Error(`${name} failed: ${answer.error}`);
  return answer as Answer;
}
