import { readdirSync, readFileSync } from "node:fs";

/**
 * /proc reports a process's CPU time in clock ticks of USER_HZ, which Linux fixes at 100 per
 * second for everything it exports to user space, whatever the kernel's own tick rate.
 */
const ticksPerSecond = 100;

/** CPU seconds (user + system) a process has used so far; undefined once it has exited. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of this machine's PostgreSQL server so far: every process named `postgres` (the
 * postmaster, its background writers and each connection's backend). A backend that exits between
 * two readings takes its seconds with it, so over a measurement this is a lower bound; the
 * product's pool keeps its connections while it is busy.
 */
export function postgresServerCpuSeconds(): number {
  let seconds = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    seconds += cpuSecondsOf(Number(entry)) ?? 0;
  }
  return seconds;
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
