import { execFileSync } from "node:child_process";
import os from "node:os";
import type { StoreKind } from "@scimgw/test-stores";

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  store: StoreKind;
  /** The commit measured, with "+changes" when the work tree differs from it. */
  commit: string;
}

function commitMeasured(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${head}+changes` : head;
  } catch {
    return "unknown";
  }
}

/** What the figures were measured on: ratios travel between machines, absolute rates do not. */
export function describeMachine(store: StoreKind): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    store,
    commit: commitMeasured(),
  };
}
