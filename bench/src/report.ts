import Table from "cli-table3";
import type { BenchResults, RunResult } from "./results.js";

const whole = (value: number) => Math.round(value).toLocaleString("en-US");
const fixed = (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits));
const mib = (value: number | undefined) => (value === undefined ? "—" : value.toFixed(0));

/** CPU ms per request by process, and their sum: the most requests per second 2 cores allow is 2,000 / sum. */
function cpuPerRequest(cpu: Record<string, number> | undefined): string {
  if (cpu === undefined || Object.keys(cpu).length === 0) return "—";
  const sum = Object.values(cpu).reduce((total, value) => total + value, 0);
  return `${Object.entries(cpu)
    .map(([name, ms]) => `${name} ${fixed(ms)}`)
    .join(", ")}; sum ${fixed(sum)}`;
}

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** One run as a table: the ceilings, then each workload with its ratio to its ceiling and the services' memory. */
export function renderRun(run: RunResult): string {
  const lines: string[] = [];
  const ceilings = table(["ceiling", "per s", "p50 ms", "p99 ms", "note", "CPU ms per request"]);
  const { bareKoa, koaGrpc, sqlite } = run.ceilings;
  if (bareKoa)
    ceilings.push([
      "bare Koa, small JSON",
      whole(bareKoa.perSecond),
      fixed(bareKoa.p50Ms, 0),
      fixed(bareKoa.p99Ms, 0),
      "",
      cpuPerRequest(bareKoa.cpuMsPerRequest),
    ]);
  if (koaGrpc)
    ceilings.push([
      "Koa → grpc-js unary, trivial handler",
      whole(koaGrpc.perSecond),
      fixed(koaGrpc.p50Ms, 0),
      fixed(koaGrpc.p99Ms, 0),
      bareKoa ? `${fixed(koaGrpc.perSecond / bareKoa.perSecond)}× bare Koa` : "",
      cpuPerRequest(koaGrpc.cpuMsPerRequest),
    ]);
  if (sqlite) {
    ceilings.push([
      "knex+sqlite3 autocommit INSERT, sync FULL",
      whole(sqlite.insertFullPerSecond),
      "",
      "",
      "rows/s; the writes' ceiling",
      "",
    ]);
    ceilings.push(["knex+sqlite3 autocommit INSERT, sync NORMAL", whole(sqlite.insertNormalPerSecond), "", "", "rows/s", ""]);
    ceilings.push(["knex+sqlite3 indexed SELECT", whole(sqlite.selectPerSecond), "", "", "selects/s", ""]);
  }
  if (ceilings.length > 0) lines.push(ceilings.toString());

  if (run.workloads.length > 0) {
    const workloads = table([
      "workload",
      "req/s",
      "p50 ms",
      "p99 ms",
      "vs ceiling",
      "ratio",
      "target",
      "directory RSS MiB",
      "gateway RSS MiB",
      "not 2xx",
      "CPU ms per request",
    ]);
    for (const workload of run.workloads) {
      const { figures, rss } = workload;
      workloads.push([
        workload.label,
        whole(figures.perSecond),
        fixed(figures.p50Ms, 0),
        fixed(figures.p99Ms, 0),
        workload.ceiling ? `${workload.ceiling.name} (${whole(workload.ceiling.perSecond)}/s)` : "—",
        workload.ratio === undefined ? "—" : `${fixed(workload.ratio)}×`,
        workload.target,
        `${mib(rss.directory?.startMiB)} → ${mib(rss.directory?.peakMiB)}`,
        `${mib(rss.gateway?.startMiB)} → ${mib(rss.gateway?.peakMiB)}`,
        figures.non2xx + figures.errors === 0 ? "0" : `${figures.non2xx + figures.errors} ${JSON.stringify(figures.statuses)}`,
        cpuPerRequest(figures.cpuMsPerRequest),
      ]);
    }
    lines.push(workloads.toString());
  }

  if (run.import) {
    const { figures, growthMiB, users, target } = run.import;
    const imported = table([
      "import",
      "pages",
      "first pages ms",
      "last pages ms",
      "last/first",
      "target",
      "median page ms",
      "total s",
      "RSS growth MiB",
    ]);
    imported.push([
      `${whole(users)} users by startIndex`,
      whole(figures.pages),
      fixed(figures.firstPagesMs),
      fixed(figures.lastPagesMs),
      `${fixed(figures.lastToFirst)}×`,
      target,
      fixed(figures.medianPageMs),
      fixed(figures.totalSeconds, 1),
      `directory ${fixed(growthMiB.directory, 0)}, gateway ${fixed(growthMiB.gateway, 0)}`,
    ]);
    lines.push(imported.toString());
    if (figures.usersSeen !== users || figures.totalResults !== users)
      lines.push(`!! the import saw ${figures.usersSeen} users of totalResults ${figures.totalResults}, not ${users}`);
  }
  return lines.join("\n");
}

/** The machine, the settings, and (after several runs) the median ratios. */
export function renderSummary(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; node ${machine.node}; ${machine.platform}`,
    `store: ${machine.store}; commit ${machine.commit}; concurrency ${settings.concurrency}; ${settings.durationSeconds} s per workload` +
      ` (+${settings.warmupSeconds} s warm-up); ${settings.runs} run(s)`,
  ];
  if (results.runs.length > 1) {
    const medians = table(["workload", "median ratio", "each run"]);
    for (const [name, value] of Object.entries(results.medianRatios)) {
      const each = results.runs.map((run) =>
        name === "import"
          ? run.import?.figures.lastToFirst
          : name.startsWith("import RSS growth ")
            ? run.import?.growthMiB[name.slice("import RSS growth ".length, -" MiB".length)]
            : run.workloads.find((workload) => workload.name === name)?.ratio,
      );
      medians.push([name, fixed(value), each.map((ratio) => fixed(ratio)).join(", ")]);
    }
    lines.push(medians.toString());
  }
  return lines.join("\n");
}
