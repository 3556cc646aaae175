// `pnpm bench`: the real product (directory + gateway, SQLite or STORE=postgres) under load from a
// generator in its own process, against ceilings measured in the same run (bare Koa; Koa→grpc-js
// unary with a trivial handler; knex+sqlite3 INSERT and SELECT), so that the ratios hold when the
// machine's speed does not. Prints a table per run and writes everything as JSON. Asserts nothing:
// these machines are shared and noisy. Settings: see ../README.md.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type HttpCeilings, SqliteCeiling, startHttpCeilings } from "./ceilings/ceilings.js";
import { LoadGenerator } from "./load/load-generator.js";
import type { HttpFigures, HttpWorkload } from "./load/load-job.js";
import { describeMachine } from "./machine.js";
import { measurePaired, mergeHttpFigures, perSecondOver, type MeasureSlice } from "./paired.js";
import { Product } from "./product.js";
import { renderRun, renderSummary } from "./report.js";
import { type BenchResults, type CeilingResults, type ImportResult, medianRatios, type RunResult, type WorkloadResult } from "./results.js";
import { sampleRss } from "./rss-sampler.js";
import { createGroupWith } from "./scim-setup.js";
import { seededUserName, seedUsers } from "./seed-users.js";
import { readSettings, type WorkloadName } from "./settings.js";

const settings = readSettings();
const { store, only } = settings;
const has = (...names: WorkloadName[]) => names.some((name) => only.includes(name));
const startedAt = new Date();
const machine = describeMachine(store);
const seeding: Record<string, number> = {};
const log = (message: string) => console.log(`[bench] ${message}`);

async function timed<T>(what: string, action: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await action();
  seeding[what] = (performance.now() - started) / 1000;
  log(`${what}: ${seeding[what].toFixed(1)} s`);
  return result;
}

/** Users of the main tenant beyond the large group's members, added and removed by the group workloads. */
const newcomerCount = 1_000;

log(
  `${store}; workloads ${only.join(", ")}; concurrency ${settings.concurrency}; ${settings.durationSeconds} s each; ${settings.runs} run(s)` +
    (Object.keys(settings.productEnv).length === 0 ? "" : `; product settings ${JSON.stringify(settings.productEnv)}`),
);
const resultsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "../results");
const resultsFile =
  settings.outFile ??
  path.join(
    resultsFolder,
    `${startedAt
      .toISOString()
      .replaceAll(":", "-")
      .replace(/\.\d+Z$/, "Z")}.json`,
  );
const cpuProfileDir = settings.profile ? `${resultsFile.replace(/\.json$/, "")}-profiles` : undefined;
const product = await Product.start(store, { settings: settings.productEnv, ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }) });
const httpCeilings: HttpCeilings | undefined = has("get", "filter") ? await startHttpCeilings() : undefined;
const sqliteCeiling = has("post", "put", "patch") ? await SqliteCeiling.start(product.dataDir, settings.concurrency) : undefined;
const load = await LoadGenerator.start();
const origin = new URL(product.baseUrl).origin;
const basePath = new URL(product.baseUrl).pathname;
try {
  const tenantId = await product.tenantIdOf("default");
  const largeGroupSize = has("group-100k") ? settings.groupMembers : 10;
  const userCount = has("group-10", "group-100k") ? Math.max(settings.seedUsers, largeGroupSize + newcomerCount) : settings.seedUsers;
  const ids = has("get", "filter", "put", "patch", "group-10", "group-100k")
    ? await timed(`seed ${userCount} users`, () => seedUsers(product.databaseLocation, tenantId, userCount, "bench"))
    : [];
  const rotating = ids.slice(0, settings.seedUsers);
  const rotatingNames = rotating.map((_, index) => seededUserName("bench", index));
  const newcomers = ids.slice(largeGroupSize, largeGroupSize + newcomerCount);
  const smallGroup = has("group-10")
    ? await timed("fill a group of 10", () => createGroupWith(product.baseUrl, product.apiKey, "ten members", ids.slice(0, 10)))
    : "";
  const largeGroup = has("group-100k")
    ? await timed(`fill a group of ${largeGroupSize}`, () =>
        createGroupWith(product.baseUrl, product.apiKey, `${largeGroupSize} members`, ids.slice(0, largeGroupSize)),
      )
    : "";
  const importTenant = has("import") ? await product.createTenant("import") : undefined;
  if (importTenant !== undefined)
    await timed(`seed ${settings.importUsers} users to import`, () =>
      seedUsers(product.databaseLocation, importTenant.id, settings.importUsers, "import"),
    );

  /** Measures `seconds` of one HTTP workload on the product. */
  function onProduct(workload: HttpWorkload): MeasureSlice<HttpFigures> {
    return (seconds, warmupSeconds) =>
      load.http({
        origin,
        basePath,
        apiKey: product.apiKey,
        connections: settings.concurrency,
        warmupSeconds,
        seconds,
        workload,
        cpuOf: product.pids,
        countPostgresServer: product.postgresServerIsLocal,
      });
  }

  function onCeiling(ceilingOrigin: string, cpuOf: Record<string, number>): MeasureSlice<HttpFigures> {
    return (seconds, warmupSeconds) =>
      load.http({
        origin: ceilingOrigin,
        basePath: "",
        apiKey: "",
        connections: settings.concurrency,
        warmupSeconds,
        seconds,
        workload: { kind: "fixed", path: "/" },
        cpuOf,
      });
  }

  /** A paired ceiling: measured in slices that alternate with its workload's (paired.ts). */
  type PairedCeiling = { name: string; measure: MeasureSlice<{ perSecond: number; seconds: number }> };

  /**
   * Runs one HTTP workload on the product, sampling the services' memory meanwhile; with a
   * ceiling, in slices that alternate with the ceiling's, and the ceiling's rate over its slices.
   */
  async function measureWorkload(
    workload: HttpWorkload,
    ceiling: PairedCeiling | undefined,
  ): Promise<Pick<WorkloadResult, "figures" | "rss" | "slices"> & { ceilingPerSecond?: number }> {
    const sampler = sampleRss(product.pids);
    if (ceiling === undefined) {
      const figures = await onProduct(workload)(settings.durationSeconds, settings.warmupSeconds);
      return { figures, rss: sampler.stop() };
    }
    const paired = { slices: settings.slices, seconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds };
    const slices = await measurePaired(paired, ceiling.measure, onProduct(workload));
    return {
      figures: mergeHttpFigures(slices.workload),
      rss: sampler.stop(),
      ceilingPerSecond: perSecondOver(slices.ceiling),
      slices: {
        ceilingPerSecond: slices.ceiling.map((slice) => slice.perSecond),
        workloadPerSecond: slices.workload.map((slice) => slice.perSecond),
      },
    };
  }

  async function measureRun(run: number): Promise<RunResult> {
    const ceilings: CeilingResults = {};
    if (httpCeilings !== undefined) {
      log(`run ${run}: ceilings: bare Koa, Koa → gRPC`);
      ceilings.bareKoa = await onCeiling(httpCeilings.bareKoa, httpCeilings.pids.bareKoa)(settings.durationSeconds, settings.warmupSeconds);
      ceilings.koaGrpc = await onCeiling(httpCeilings.koaGrpc, httpCeilings.pids.koaGrpc)(settings.durationSeconds, settings.warmupSeconds);
    }
    if (sqliteCeiling !== undefined) {
      log(`run ${run}: ceiling: knex+sqlite3`);
      // Half the duration per phase (three phases): the rate of a local file settles fast.
      ceilings.sqlite = await sqliteCeiling.measureAll(Math.max(1, settings.durationSeconds / 2));
    }
    const readsTarget = store === "sqlite" ? "≥ 0.8×" : "≥ 0.6×";
    const readCeiling: PairedCeiling | undefined = httpCeilings && {
      name: "Koa→gRPC",
      measure: onCeiling(httpCeilings.koaGrpc, httpCeilings.pids.koaGrpc),
    };
    // The writes are held against the SQLite ceiling's INSERTs under synchronous=FULL.
    const writeCeiling: PairedCeiling | undefined = sqliteCeiling && {
      name: "SQLite INSERT FULL",
      measure: async (seconds) => ({ perSecond: await sqliteCeiling.measure("insert-full", seconds), seconds }),
    };
    const plan: Array<{
      name: WorkloadName;
      label: string;
      workload: () => HttpWorkload;
      target: string;
      ceiling: PairedCeiling | undefined;
    }> = [
      {
        name: "get",
        label: "GET /Users/{id}",
        workload: () => ({ kind: "get-user", ids: rotating }),
        target: readsTarget,
        ceiling: readCeiling,
      },
      {
        name: "filter",
        label: 'GET /Users?filter=userName eq "…"',
        workload: () => ({ kind: "filter", userNames: rotatingNames }),
        target: readsTarget,
        ceiling: readCeiling,
      },
      {
        name: "post",
        label: "POST /Users",
        workload: () => ({ kind: "post", userNamePrefix: `post${run}-` }),
        target: "≥ 0.3×",
        ceiling: writeCeiling,
      },
      {
        name: "put",
        label: "PUT /Users/{id}",
        workload: () => ({ kind: "put", ids: rotating, userNames: rotatingNames }),
        target: "≥ 0.25×",
        ceiling: writeCeiling,
      },
      {
        name: "patch",
        label: "PATCH /Users/{id} active=false/true",
        workload: () => ({ kind: "patch-active", ids: rotating }),
        target: "≥ 0.25×",
        ceiling: writeCeiling,
      },
      {
        name: "group-10",
        label: "PATCH /Groups ±1 member, 10 members",
        workload: () => ({ kind: "group-patch", groupId: smallGroup, newcomers }),
        target: "(reference)",
        ceiling: undefined,
      },
      {
        name: "group-100k",
        label: `PATCH /Groups ±1 member, ${largeGroupSize.toLocaleString("en-US")} members`,
        workload: () => ({ kind: "group-patch", groupId: largeGroup, newcomers }),
        target: "≥ 0.67× (cost ≤ 1.5×)",
        ceiling: undefined,
      },
    ];
    const workloads: WorkloadResult[] = [];
    for (const step of plan.filter((candidate) => has(candidate.name))) {
      log(`run ${run}: ${step.label}`);
      const { figures, rss, ceilingPerSecond, slices } = await measureWorkload(step.workload(), step.ceiling);
      // The large group is held against the small one measured just before it, in the same run.
      const small = workloads.find((workload) => workload.name === "group-10");
      const ceiling =
        step.name === "group-100k"
          ? small && { name: "10-member group", perSecond: small.figures.perSecond }
          : step.ceiling && ceilingPerSecond !== undefined
            ? { name: step.ceiling.name, perSecond: ceilingPerSecond }
            : undefined;
      workloads.push({
        name: step.name,
        label: step.label,
        figures,
        target: step.target,
        rss,
        ...(ceiling ? { ceiling, ratio: figures.perSecond / ceiling.perSecond } : {}),
        ...(slices ? { slices } : {}),
      });
    }
    let imported: ImportResult | undefined;
    if (importTenant !== undefined) {
      log(`run ${run}: import of ${settings.importUsers} users, pages of ${settings.importPageSize}`);
      const sampler = sampleRss(product.pids);
      const figures = await load.walk({
        origin,
        basePath,
        apiKey: importTenant.key,
        pageSize: settings.importPageSize,
        endPages: 10,
        warmupSeconds: settings.warmupSeconds,
      });
      const rss = sampler.stop();
      const growthMiB = Object.fromEntries(Object.entries(rss).map(([service, { startMiB, peakMiB }]) => [service, peakMiB - startMiB]));
      imported = { users: settings.importUsers, figures, rss, growthMiB, target: "≤ 1.5×, RSS growth < 64 MiB" };
    }
    return { run, ceilings, workloads, ...(imported ? { import: imported } : {}) };
  }

  const runs: RunResult[] = [];
  for (let run = 1; run <= settings.runs; run++) {
    const result = await measureRun(run);
    runs.push(result);
    console.log(`\nrun ${run} of ${settings.runs}\n${renderRun(result)}\n`);
  }

  const { outFile: _outFile, ...measuredSettings } = settings;
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    machine,
    settings: measuredSettings,
    seeding,
    runs,
    medianRatios: medianRatios(runs),
  };
  mkdirSync(path.dirname(path.resolve(resultsFile)), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`${renderSummary(results)}\nresults: ${path.relative(process.cwd(), path.resolve(resultsFile))}`);
} catch (error) {
  // A failed statement's message carries all of its SQL (a seeding batch is megabytes of it).
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(message.length > 4000 ? `${message.slice(0, 4000)} …(${message.length - 4000} more characters)` : message);
  process.exitCode = 1;
} finally {
  await load.stop();
  await httpCeilings?.stop();
  await sqliteCeiling?.stop();
  await product.stop();
  if (cpuProfileDir !== undefined)
    console.log(`CPU profiles (open in Chrome DevTools or speedscope): ${path.relative(process.cwd(), cpuProfileDir)}`);
}
