/**
 * What the load generator is asked to do, sent to its process as one IPC message, and what it
 * answers. Data only, so both sides agree on it without sharing code that runs.
 */
export type HttpWorkload =
  /** The same GET each time (the ceilings). */
  | { kind: "fixed"; path: string }
  /** GET /Users/{id}, the ids in turn. */
  | { kind: "get-user"; ids: string[] }
  /** GET /Users?filter=userName eq "…", the userNames in turn. */
  | { kind: "filter"; userNames: string[] }
  /** POST /Users, each with a userName never used before. */
  | { kind: "post"; userNamePrefix: string }
  /** PUT /Users/{id} of the whole user with a new displayName; ids[i] has userNames[i]. */
  | { kind: "put"; ids: string[]; userNames: string[] }
  /** PATCH /Users/{id} active=false, then active=true on the same user. */
  | { kind: "patch-active"; ids: string[] }
  /** PATCH /Groups/{id} adding one member, then removing it; one newcomer per connection. */
  | { kind: "group-patch"; groupId: string; newcomers: string[] };

export interface HttpJob {
  kind: "http";
  /** The origin, e.g. http://127.0.0.1:8080. */
  origin: string;
  /** Prefix of every path, e.g. /services/scim/v2 ("" for the ceilings). */
  basePath: string;
  apiKey: string;
  connections: number;
  /** The least unmeasured seconds before the measured ones (load-main.ts warmUp); 0: none. */
  warmupSeconds: number;
  seconds: number;
  workload: HttpWorkload;
  /** Processes whose CPU to count over the measured seconds, by name (e.g. gateway, directory). */
  cpuOf: Record<string, number>;
  /** Also count this machine's PostgreSQL server (every `postgres` process), when the product's store is it. */
  countPostgresServer?: boolean;
}

/** An IdP's import: every user by startIndex pages, one page after the other, as Okta reads them. */
export interface WalkJob {
  kind: "walk";
  origin: string;
  basePath: string;
  apiKey: string;
  pageSize: number;
  /** Pages averaged at each end for the first/last comparison. */
  endPages: number;
  /**
   * Seconds (and at least 10 pages) of walking from startIndex 1 before the measured walk, so that
   * its first pages are not measured on cold code and caches while its last pages are warm.
   */
  warmupSeconds: number;
}

export type LoadJob = HttpJob | WalkJob;

export interface HttpFigures {
  /** 2xx answers per second over the measured seconds. */
  perSecond: number;
  /** The measured seconds. */
  seconds: number;
  /** The unmeasured seconds before them: at least the job's warmupSeconds, longer while the rate still rose. */
  warmedUpSeconds: number;
  /**
   * Latency percentiles in ms (autocannon's histogram: whole milliseconds). Of figures measured in
   * slices (paired.ts), the median of the slices' p50 and the highest of their p99.
   */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  completed: number;
  /** Answers that were not 2xx, by status, and connection errors: a figure with any is suspect. */
  non2xx: number;
  statuses: Record<string, number>;
  errors: number;
  /**
   * CPU milliseconds per completed request over the measured seconds, by process: those of
   * HttpJob.cpuOf and the load generator's own.
   */
  cpuMsPerRequest: Record<string, number>;
}

export interface WalkFigures {
  pages: number;
  usersSeen: number;
  totalResults: number;
  /** Mean ms of the first and of the last `endPages` pages. */
  firstPagesMs: number;
  lastPagesMs: number;
  /** Each of those pages, ms: one slow page among ten moves the mean. */
  firstPagesEachMs: number[];
  lastPagesEachMs: number[];
  /** lastPagesMs / firstPagesMs: 1 when a deep page costs what the first does. */
  lastToFirst: number;
  medianPageMs: number;
  totalSeconds: number;
}

export type LoadAnswer = { figures: HttpFigures | WalkFigures } | { error: string };
