// The load generator, in a process of its own so that its CPU is not the measured process's:
// it takes jobs (load-job.ts) as IPC messages from the harness, one at a time, and answers each
// with its figures. HTTP load is autocannon's; an import walk is sequential fetches.
import autocannon from "autocannon";
import type { HttpFigures, HttpJob, HttpWorkload, LoadAnswer, LoadJob, WalkFigures, WalkJob } from "./load-job.js";
import { countCpu } from "./process-cpu.js";

const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
const patchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** What autocannon passes to setupRequest as each connection's own state. */
interface ConnectionState {
  slot?: number;
  /** The connection's current target: an index into the workload's ids. */
  target?: number;
}

type Setup = (request: autocannon.Request, context: ConnectionState) => autocannon.Request;

function userBody(userName: string, displayName: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemas: [userSchema],
    userName,
    name: { givenName: "Bench", familyName: displayName },
    displayName,
    emails: [{ value: userName, type: "work", primary: true }],
    active: true,
    ...extra,
  });
}

/**
 * The requests of a workload, as autocannon's list that each connection cycles through. Rotating
 * workloads share a counter; writes to users give each connection targets no other connection
 * touches (slot, slot + connections, …), so a pair such as active=false then active=true reaches
 * the user in order and every request is a real change, never a no-op.
 */
function requestsOf(job: HttpJob): autocannon.Request[] {
  const { workload, basePath, connections } = job;
  let next = 0;
  let slots = 0;
  const slotOf = (context: ConnectionState): number => {
    context.slot ??= slots++;
    return context.slot;
  };
  /** The connection's next target among `count`, or its current one. */
  const target = (context: ConnectionState, count: number, advance: boolean): number => {
    const slot = slotOf(context);
    if (advance || context.target === undefined) context.target = context.target === undefined ? slot : context.target + connections;
    return context.target % count;
  };
  const request = (method: string, setup: Setup): autocannon.Request => ({
    method: method as autocannon.Request["method"],
    setupRequest: setup,
  });
  switch (workload.kind) {
    case "fixed":
      return [{ method: "GET", path: basePath + workload.path }];
    case "get-user":
      return [request("GET", (req) => ({ ...req, path: `${basePath}/Users/${workload.ids[next++ % workload.ids.length]}` }))];
    case "filter":
      return [
        request("GET", (req) => {
          const filter = `userName eq "${workload.userNames[next++ % workload.userNames.length]}"`;
          return { ...req, path: `${basePath}/Users?filter=${encodeURIComponent(filter)}` };
        }),
      ];
    case "post": {
      const run = Date.now().toString(36);
      return [
        request("POST", (req) => {
          const userName = `${workload.userNamePrefix}${run}-${next++}@example.com`;
          // An Okta create without its password: hashing one costs 0.3–0.6 s of CPU by design (README, Sync Password).
          return {
            ...req,
            path: `${basePath}/Users`,
            body: userBody(userName, "Created", { externalId: `okta-${run}-${next}`, locale: "en-US" }),
          };
        }),
      ];
    }
    case "put":
      return [
        request("PUT", (req, context) => {
          const index = target(context, workload.ids.length, true);
          const userName = workload.userNames[index] ?? "";
          return { ...req, path: `${basePath}/Users/${workload.ids[index]}`, body: userBody(userName, `Replaced ${next++}`) };
        }),
      ];
    case "patch-active": {
      const patch = (active: boolean, advance: boolean): autocannon.Request =>
        request("PATCH", (req, context) => ({
          ...req,
          path: `${basePath}/Users/${workload.ids[target(context, workload.ids.length, advance)]}`,
          body: JSON.stringify({ schemas: [patchOpSchema], Operations: [{ op: "replace", value: { active } }] }),
        }));
      return [patch(false, true), patch(true, false)];
    }
    case "group-patch": {
      const newcomer = (context: ConnectionState) => workload.newcomers[slotOf(context) % workload.newcomers.length];
      return [
        request("PATCH", (req, context) => ({
          ...req,
          path: `${basePath}/Groups/${workload.groupId}`,
          body: JSON.stringify({
            schemas: [patchOpSchema],
            Operations: [{ op: "add", path: "members", value: [{ value: newcomer(context) }] }],
          }),
        })),
        request("PATCH", (req, context) => ({
          ...req,
          path: `${basePath}/Groups/${workload.groupId}`,
          body: JSON.stringify({
            schemas: [patchOpSchema],
            Operations: [{ op: "remove", path: `members[value eq "${newcomer(context)}"]` }],
          }),
        })),
      ];
    }
  }
}

function describe(workload: HttpWorkload): string {
  return workload.kind === "fixed" ? `GET ${workload.path}` : workload.kind;
}

/** The longest a warm-up goes on while the rate still rises. */
const maxWarmupSeconds = 30;

/**
 * The same requests, unmeasured, for `minimumSeconds` and then for as long as the rate still
 * rises: connections open, caches fill, V8 compiles the hot paths. From a fresh start the product
 * took about 16 s of GETs to get there (the CPU per request of each service fell from 3.4 to 0.85 ms),
 * and GETs were as slow again after the 1M-user import, so a 1-s warm-up measured the first
 * workload of every run partly cold. Stops once two 1-s probes in a row are not 5% above the best
 * before them; returns the seconds it took (0 when asked for none).
 */
async function warmUp(options: (seconds: number) => autocannon.Options, minimumSeconds: number): Promise<number> {
  if (minimumSeconds <= 0) return 0;
  const started = performance.now();
  const elapsedSeconds = () => (performance.now() - started) / 1000;
  await autocannon(options(minimumSeconds));
  let best = 0;
  let flatProbes = 0;
  while (flatProbes < 2 && elapsedSeconds() < maxWarmupSeconds) {
    const probe = await autocannon(options(1));
    const perSecond = probe["2xx"] / probe.duration;
    if (perSecond > best * 1.05) {
      best = perSecond;
      flatProbes = 0;
    } else flatProbes++;
  }
  return elapsedSeconds();
}

async function runHttp(job: HttpJob): Promise<HttpFigures> {
  const requests = requestsOf(job);
  const options = (seconds: number): autocannon.Options => ({
    url: job.origin,
    connections: job.connections,
    duration: seconds,
    headers: {
      ...(job.apiKey === "" ? {} : { authorization: `Bearer ${job.apiKey}` }),
      accept: "application/scim+json",
      "content-type": "application/scim+json",
    },
    requests,
    title: describe(job.workload),
  });
  // A slice after the first of a paired measurement (paired.ts) runs warm and skips it.
  const warmedUpSeconds = await warmUp(options, job.warmupSeconds);
  const cpu = countCpu(job.cpuOf, job.countPostgresServer === true);
  const result = await autocannon(options(job.seconds));
  const cpuMsPerRequest = cpu.perRequest(result["2xx"] + result.non2xx);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]));
  return {
    perSecond: result["2xx"] / result.duration,
    seconds: result.duration,
    warmedUpSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    completed: result["2xx"] + result.non2xx,
    non2xx: result.non2xx,
    statuses,
    errors: result.errors,
    cpuMsPerRequest,
  };
}

async function runWalk(job: WalkJob): Promise<WalkFigures> {
  const headers = { authorization: `Bearer ${job.apiKey}`, accept: "application/scim+json" };
  const warmupEnds = performance.now() + job.warmupSeconds * 1000;
  for (let page = 0; page < 10 || performance.now() < warmupEnds; page++) {
    const response = await fetch(`${job.origin}${job.basePath}/Users?startIndex=${1 + page * job.pageSize}&count=${job.pageSize}`, {
      headers,
    });
    await response.arrayBuffer();
  }
  // The measured walk starts over at startIndex 1, as a new import does (an OFFSET page and a count).
  const pageMs: number[] = [];
  let usersSeen = 0;
  let totalResults = Number.POSITIVE_INFINITY;
  const started = performance.now();
  for (let startIndex = 1; startIndex <= totalResults; startIndex += job.pageSize) {
    const pageStarted = performance.now();
    const response = await fetch(`${job.origin}${job.basePath}/Users?startIndex=${startIndex}&count=${job.pageSize}`, { headers });
    const page = (await response.json()) as { totalResults?: number; Resources?: unknown[] };
    pageMs.push(performance.now() - pageStarted);
    if (response.status !== 200) throw new Error(`page at startIndex ${startIndex}: HTTP ${response.status} ${JSON.stringify(page)}`);
    totalResults = page.totalResults ?? 0;
    usersSeen += page.Resources?.length ?? 0;
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const firstPagesEachMs = pageMs.slice(0, job.endPages);
  const lastPagesEachMs = pageMs.slice(-job.endPages);
  const firstPagesMs = mean(firstPagesEachMs);
  const lastPagesMs = mean(lastPagesEachMs);
  const sorted = [...pageMs].sort((a, b) => a - b);
  return {
    pages: pageMs.length,
    usersSeen,
    totalResults,
    firstPagesMs,
    lastPagesMs,
    firstPagesEachMs,
    lastPagesEachMs,
    lastToFirst: lastPagesMs / firstPagesMs,
    medianPageMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    totalSeconds,
  };
}

process.on("message", (job: LoadJob) => {
  const running = job.kind === "http" ? runHttp(job) : runWalk(job);
  running.then(
    (figures) => process.send?.({ figures } satisfies LoadAnswer),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies LoadAnswer),
  );
});
// Ready: the harness waits for this before it sends the first job.
process.send?.({ ready: true });
