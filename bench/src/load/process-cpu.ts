import { readdirSync, readFileSync } from "node:fs";

/**
 * /proc reports a process's CPU time in clock ticks of USER_HZ, which Linux fixes at 100 per
 * second for everything it exports to user space, whatever the kernel's own tick rate.
 */
const ticksPerSecond = 100;

/**
 * The fields of /proc/<pid>/stat after the command name, and that name; undefined once the process
 * has exited. The name (field 2) is in parentheses and may hold spaces, so fields are counted after it.
 */
function statOf(pid: number | string): { name: string; fields: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far; undefined once it has exited. */
export function cpuSecondsOf(pid: number): number | undefined {
  const stat = statOf(pid);
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return stat === undefined ? undefined : (Number(stat.fields[11]) + Number(stat.fields[12])) / ticksPerSecond;
}

/**
 * CPU seconds of this machine's PostgreSQL servers so far: every process named `postgres` (each
 * postmaster, its background writers and each connection's backend), and what the postmasters'
 * exited children used (their cutime and cstime), so a backend that exits between two readings
 * still counts, as one that was started between them does.
 */
export function postgresServerCpuSeconds(): number {
  const processes = new Map<string, string[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.name === "postgres") processes.set(entry, stat.fields);
  }
  let ticks = 0;
  for (const fields of processes.values()) {
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the parent is 4
    // (2 after it), and a postmaster's parent is not a postgres process: cutime and cstime, 16 and 17.
    ticks += Number(fields[11]) + Number(fields[12]);
    if (!processes.has(fields[1] ?? "")) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / ticksPerSecond;
}

/** This process's own CPU seconds (user + system), from Node, in microseconds resolution. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Starts counting the CPU of named processes (and of the PostgreSQL server, when asked) and of
 * this one; `perRequest(n)` says how many milliseconds of CPU each spent per request over n
 * requests since the start. Which process pays for what shows where a 2-core machine's budget goes:
 * the rate can never exceed 2,000 ms divided by the sum of the CPU ms every process spends on one
 * request.
 */
export function countCpu(pids: Record<string, number>, postgresServer = false): { perRequest(requests: number): Record<string, number> } {
  const started = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
  const postgresStarted = postgresServer ? postgresServerCpuSeconds() : 0;
  const ownStarted = ownCpuSeconds();
  return {
    perRequest(requests) {
      const perRequest: Record<string, number> = {};
      if (requests <= 0) return perRequest;
      for (const [name, pid] of Object.entries(pids)) {
        const [before, after] = [started[name], cpuSecondsOf(pid)];
        if (before !== undefined && after !== undefined) perRequest[name] = ((after - before) * 1000) / requests;
      }
      if (postgresServer) perRequest.postgres = ((postgresServerCpuSeconds() - postgresStarted) * 1000) / requests;
      perRequest["load generator"] = ((ownCpuSeconds() - ownStarted) * 1000) / requests;
      return perRequest;
    },
  };
}
