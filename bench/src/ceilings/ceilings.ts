import type { ChildProcess } from "node:child_process";
import { ask, forkScript, startScript, stopChild } from "../child-process.js";

const sqliteCeilingName = "the SQLite ceiling";

export interface SqliteCeilingFigures {
  /** Rows per second, one autocommit INSERT each, synchronous=FULL. */
  insertFullPerSecond: number;
  /** The same with synchronous=NORMAL (durable across a process crash, not a power loss). */
  insertNormalPerSecond: number;
  /** SELECTs of one row by a unique indexed column per second. */
  selectPerSecond: number;
}

/** The HTTP ceilings' servers, each in a process of its own, for the whole benchmark. */
export interface HttpCeilings {
  /** Origin of the bare Koa handler. */
  bareKoa: string;
  /** Origin of the Koa handler that calls the trivial gRPC handler. */
  koaGrpc: string;
  /** The processes serving each origin, for counting their CPU. */
  pids: { bareKoa: Record<string, number>; koaGrpc: Record<string, number> };
  stop: () => Promise<void>;
}

function pidsOf(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).filter((entry): entry is [string, number] => entry[1] !== undefined));
}

export async function startHttpCeilings(): Promise<HttpCeilings> {
  const grpc = await startScript<{ port: number }>(new URL("./grpc-ceiling-main.ts", import.meta.url));
  const bare = await startScript<{ port: number }>(new URL("./koa-ceiling-main.ts", import.meta.url));
  const viaGrpc = await startScript<{ port: number }>(new URL("./koa-ceiling-main.ts", import.meta.url), {
    GRPC_ADDRESS: `127.0.0.1:${grpc.ready.port}`,
  });
  return {
    bareKoa: `http://127.0.0.1:${bare.ready.port}`,
    koaGrpc: `http://127.0.0.1:${viaGrpc.ready.port}`,
    pids: {
      bareKoa: pidsOf({ koa: bare.child.pid }),
      koaGrpc: pidsOf({ koa: viaGrpc.child.pid, "grpc handler": grpc.child.pid }),
    },
    async stop() {
      await Promise.all([bare.stop(), viaGrpc.stop()]);
      await grpc.stop();
    },
  };
}

/** What the SQLite ceiling's process measures: one-row INSERTs (synchronous FULL or NORMAL), or indexed SELECTs. */
export type SqlitePhase = "insert-full" | "insert-normal" | "select";
export interface SqliteCeilingJob {
  phase: SqlitePhase;
  seconds: number;
}
export type SqliteCeilingAnswer = { perSecond: number } | { error: string };

/**
 * The SQLite ceiling's process (sqlite-ceiling-main.ts), for the whole benchmark: its databases
 * stay open, in `folder` (the same disk as the product's data), so that a phase measured again
 * beside a write workload runs warm, as the product does.
 */
export class SqliteCeiling {
  private constructor(private readonly child: ChildProcess) {}

  static async start(folder: string, concurrency: number): Promise<SqliteCeiling> {
    const script = new URL("./sqlite-ceiling-main.ts", import.meta.url);
    return new SqliteCeiling(await forkScript(script, sqliteCeilingName, { DIR: folder, CONCURRENCY: String(concurrency) }));
  }

  /** Operations per second of `phase` over `seconds`. */
  async measure(phase: SqlitePhase, seconds: number): Promise<number> {
    return (await ask<{ perSecond: number }>(this.child, sqliteCeilingName, { phase, seconds } satisfies SqliteCeilingJob)).perSecond;
  }

  /** Every phase once, `seconds` each: the run's table of ceilings. */
  async measureAll(seconds: number): Promise<SqliteCeilingFigures> {
    const insertNormalPerSecond = await this.measure("insert-normal", seconds);
    const insertFullPerSecond = await this.measure("insert-full", seconds);
    const selectPerSecond = await this.measure("select", seconds);
    return { insertFullPerSecond, insertNormalPerSecond, selectPerSecond };
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
