import { startScript } from "../child-process.js";

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

/**
 * Measures the SQLite ceiling in a process of its own, on a fresh file in `folder` (the same disk
 * as the product's data), `seconds` per phase.
 */
export async function measureSqliteCeiling(folder: string, seconds: number, concurrency: number): Promise<SqliteCeilingFigures> {
  const run = await startScript<SqliteCeilingFigures>(new URL("./sqlite-ceiling-main.ts", import.meta.url), {
    DIR: folder,
    SECONDS: String(seconds),
    CONCURRENCY: String(concurrency),
  });
  await new Promise<void>((resolve) => (run.child.exitCode === null ? run.child.once("exit", () => resolve()) : resolve()));
  return run.ready;
}
