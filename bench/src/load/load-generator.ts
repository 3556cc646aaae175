import { fork, type ChildProcess } from "node:child_process";
import { stopChild } from "../child-process.js";
import type { HttpFigures, HttpJob, LoadAnswer, WalkFigures, WalkJob } from "./load-job.js";

/** The harness's side of the load generator's process: one job at a time, over IPC. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadGenerator> {
    const child = fork(new URL("./load-main.ts", import.meta.url).pathname, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`the load generator exited with code ${code} before it was ready`)));
    });
    return new LoadGenerator(child);
  }

  private async run(job: HttpJob | WalkJob): Promise<HttpFigures | WalkFigures> {
    const answer = await new Promise<LoadAnswer>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the load generator exited with code ${code}`));
      this.child.once("exit", onExit);
      this.child.once("message", (message: LoadAnswer) => {
        this.child.off("exit", onExit);
        resolve(message);
      });
      this.child.send(job);
    });
    if ("error" in answer) throw new Error(`the load generator failed: ${answer.error}`);
    return answer.figures;
  }

  http(job: Omit<HttpJob, "kind">): Promise<HttpFigures> {
    return this.run({ kind: "http", ...job }) as Promise<HttpFigures>;
  }

  walk(job: Omit<WalkJob, "kind">): Promise<WalkFigures> {
    return this.run({ kind: "walk", ...job }) as Promise<WalkFigures>;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
