import type { ChildProcess } from "node:child_process";
import { ask, forkScript, stopChild } from "../child-process.js";
import type { HttpFigures, HttpJob, LoadAnswer, WalkFigures, WalkJob } from "./load-job.js";

const name = "the load generator";

/** The harness's side of the load generator's process: one job at a time, over IPC. */
export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<LoadGenerator> {
    return new LoadGenerator(await forkScript(new URL("./load-main.ts", import.meta.url), name));
  }

  private async run(job: HttpJob | WalkJob): Promise<HttpFigures | WalkFigures> {
    return (await ask<Extract<LoadAnswer, { figures: unknown }>>(this.child, name, job)).figures;
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
