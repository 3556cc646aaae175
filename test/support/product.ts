import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  createApiKeyStore,
  createServiceCredentialStore,
  createTenantStore,
  openDatabase,
  type DatabaseLocation,
  type Scope,
} from "@scimgw/directory";
import { bootstrap } from "@scimgw/directory/bootstrap";
import { testPostgresUrl, uniqueSchemaName, type StoreKind } from "@scimgw/test-stores";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const directoryMain = path.join(root, "services/directory/dist/main.js");
const gatewayMain = path.join(root, "services/gateway/dist/main.js");
const adminMain = path.join(root, "services/directory/dist/admin/main.js");
const consoleMain = path.join(root, "services/console/dist/main.js");

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunningService {
  child: ChildProcess;
  logs: string[];
}

/** Spawns a built service and waits for its "listening" log line. */
async function startService(main: string, env: NodeJS.ProcessEnv, readyMessage: string): Promise<RunningService> {
  const child = spawn(process.execPath, [main], { env, stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(path.dirname(path.dirname(main)))} did not start in 60 s:\n${logs.join("\n")}\n${stderr}`)),
      // A failure detector, not a latency bound: a busy machine may take a while to start Node.
      60_000,
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      logs.push(line);
      if (line.includes(`"msg":"${readyMessage}"`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${main} exited with code ${code}:\n${stderr}`));
    });
  });
  return { child, logs };
}

/**
 * Starts a service on a port freePort found, choosing another if the service finds it taken:
 * freePort cannot reserve a port, and another suite's process may bind it first (the kernel hands
 * the same free ports to every process that asks). `firstPort` is tried first when given.
 */
async function startOnFreePort(
  main: string,
  envFor: (port: number) => NodeJS.ProcessEnv,
  readyMessage: string,
  firstPort?: number,
): Promise<{ service: RunningService; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = attempt === 1 && firstPort !== undefined ? firstPort : await freePort();
    try {
      return { service: await startService(main, envFor(port), readyMessage), port };
    } catch (error) {
      if (attempt < 5 && String(error).includes("is already in use")) continue;
      throw error;
    }
  }
}

async function stopService(service: RunningService | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (service === undefined || service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => service.child.once("exit", () => resolve()));
  service.child.kill(signal);
  await exited;
}

export interface ProductOptions {
  /** Gateway settings to override (e.g. API_KEY_CACHE_SECONDS). */
  gatewayEnv?: Record<string, string>;
  /** Directory settings to override (e.g. SERVICE_CREDENTIAL_CACHE_SECONDS). */
  directoryEnv?: Record<string, string>;
  /** Where the directory keeps its data. Default: SQLite in the temporary data folder. */
  store?: StoreKind;
  /** How many directory replicas (PostgreSQL only for more than one). Default 1. */
  directories?: number;
  /** How many gateways; gateway i talks to directory i mod directories. Default 1. */
  gateways?: number;
  /** Also start the console (services/console), after the gateways, with its own admin credential. */
  console?: boolean;
  /** Console settings to override. */
  consoleEnv?: Record<string, string>;
}

/**
 * The real product as a user runs it: the built directory and gateway processes on free ports,
 * with a temporary data folder (or a PostgreSQL schema of its own), bootstrapped by what `pnpm
 * start` runs first (the admin CLI's bootstrap). With several directories and gateways it is the
 * scale-out deployment: stateless gateways, directory replicas, one shared PostgreSQL database.
 */
export class Product {
  readonly dataDir: string;
  readonly store: StoreKind;
  private readonly schema: string;
  private directories: RunningService[] = [];
  private gateways: RunningService[] = [];
  private gatewayPorts: number[] = [];
  private consoleService: RunningService | undefined;
  private consolePort = 0;
  private directoryPorts: number[] = [];
  /** The API key of the tenant "default" created at bootstrap. */
  apiKey = "";
  /** The directories' gRPC addresses (host:port), for internal callers. */
  directoryAddresses: string[] = [];

  private constructor(
    dataDir: string,
    private readonly options: ProductOptions,
  ) {
    this.dataDir = dataDir;
    this.store = options.store ?? "sqlite";
    this.schema = uniqueSchemaName("e2e");
    if (this.store === "sqlite" && (options.directories ?? 1) > 1) throw new Error("several directories need PostgreSQL");
  }

  static async start(options: ProductOptions = {}): Promise<Product> {
    const product = new Product(await mkdtemp(path.join(tmpdir(), "scimgw-e2e-")), options);
    // What `scimgw-admin bootstrap` runs, in this process: a product starts for nearly every suite,
    // and the CLI would cost a Node process each time (the CLI's bootstrap has suites of its own:
    // start, admin-cli, readiness). With the console it also issues the console's credential.
    const { key } = await product.withDatabase((db) =>
      bootstrap({ db }, "default", {
        gatewayCredentialFile: product.gatewayCredentialFile,
        ...(options.console ? { consoleCredentialFile: product.consoleCredentialFile } : {}),
      }),
    );
    if (key === undefined) throw new Error("bootstrap found a database that was not empty");
    product.apiKey = key;
    await product.startServices();
    return product;
  }

  /** Where the console's admin credential is kept. */
  get consoleCredentialFile(): string {
    return path.join(this.dataDir, "console.credential");
  }

  /** The console's URL (http://127.0.0.1:port), when started with `console: true`. */
  get consoleUrl(): string {
    if (this.consolePort === 0) throw new Error("the console was not started (ProductOptions.console)");
    return `http://127.0.0.1:${this.consolePort}`;
  }

  /** Where bootstrap keeps the gateways' service credential, exactly as `pnpm start` does. */
  get gatewayCredentialFile(): string {
    return path.join(this.dataDir, "gateway.credential");
  }

  /**
   * Issues a service credential for an internal caller of the directory's gRPC API, for the named
   * tenants (ids or names) or, by default, all of them: through the credential store in this
   * process, as `credentials issue` does (admin-cli tests that command itself).
   */
  async issueServiceCredential(name: string, scope: Scope, tenants: string[] | "all" = "all"): Promise<string> {
    return this.withDatabase(async (db) => {
      const grant = tenants === "all" ? "all" : await createTenantStore(db).resolveIds(tenants);
      return (await createServiceCredentialStore(db).issue(name, scope, grant)).secret;
    });
  }

  /** The SCIM base URL of the first gateway. */
  get baseUrl(): string {
    return this.baseUrls[0]!;
  }

  /** The SCIM base URL of every gateway. */
  get baseUrls(): string[] {
    return this.gatewayPorts.map((port) => `http://127.0.0.1:${port}/services/scim/v2`);
  }

  /** Each gateway's metrics URL, as its start log line names it ("off" if turned off). */
  get gatewayMetricsUrls(): string[] {
    return this.gateways.map((gateway) => metricsUrlOf(gateway, "gateway listening"));
  }

  /** Each directory's metrics URL, as its start log line names it ("off" if turned off). */
  get directoryMetricsUrls(): string[] {
    return this.directories.map((directory) => metricsUrlOf(directory, "directory listening"));
  }

  /** The settings every service and admin command of this product runs with (data folder, store). */
  get env(): NodeJS.ProcessEnv {
    const store = this.store === "postgres" ? { DATABASE_URL: testPostgresUrl, DATABASE_SCHEMA: this.schema } : {};
    // Metrics on any free port (the defaults, 9464 and 9465, would collide between products).
    const metrics = { GATEWAY_METRICS_PORT: "0", DIRECTORY_METRICS_PORT: "0" };
    return { PATH: process.env.PATH, DATA_DIR: this.dataDir, LOG_LEVEL: "info", ...store, ...metrics };
  }

  async startServices(): Promise<void> {
    await this.chooseDirectoryPorts();
    await this.startDirectoriesOnChosenPorts();
    await this.startGateways();
    if (this.options.console) await this.startConsole();
  }

  private async startConsole(): Promise<void> {
    const { service, port } = await startOnFreePort(
      consoleMain,
      (port) => ({
        ...this.env,
        CONSOLE_HOST: "127.0.0.1",
        CONSOLE_PORT: String(port),
        DIRECTORY_ADDRESS: this.directoryAddresses[0],
        DIRECTORY_CREDENTIAL_FILE: this.consoleCredentialFile,
        // The SCIM base URL the setup portal shows: this product's first gateway.
        SCIM_PUBLIC_BASE_URL: new URL(this.baseUrl).origin,
        ...this.options.consoleEnv,
      }),
      "console listening",
    );
    this.consoleService = service;
    this.consolePort = port;
  }

  private async chooseDirectoryPorts(): Promise<void> {
    this.directoryPorts = await Promise.all(Array.from({ length: this.options.directories ?? 1 }, () => freePort()));
    this.directoryAddresses = this.directoryPorts.map((port) => `127.0.0.1:${port}`);
  }

  private async startGateways(): Promise<void> {
    const directoryPorts = this.directoryPorts;
    this.gatewayPorts = [];
    this.gateways = [];
    for (let i = 0; i < (this.options.gateways ?? 1); i++) {
      const { service, port } = await startOnFreePort(
        gatewayMain,
        (port) => ({
          ...this.env,
          GATEWAY_HOST: "127.0.0.1",
          GATEWAY_PORT: String(port),
          DIRECTORY_ADDRESS: `127.0.0.1:${directoryPorts[i % directoryPorts.length]}`,
          DIRECTORY_CREDENTIAL_FILE: this.gatewayCredentialFile,
          ...this.options.gatewayEnv,
        }),
        "gateway listening",
      );
      this.gateways.push(service);
      this.gatewayPorts.push(port);
    }
  }

  /**
   * Starts the directories on the ports chosen for them, or on others when a port was taken
   * meanwhile (the addresses follow); replicas start at once, as behind a load balancer (and so
   * race to migrate).
   */
  private async startDirectoriesOnChosenPorts(): Promise<void> {
    const started = await Promise.all(
      this.directoryPorts.map((chosen) =>
        startOnFreePort(directoryMain, (port) => this.directoryEnvOn(port), "directory listening", chosen),
      ),
    );
    this.directories = started.map(({ service }) => service);
    this.directoryPorts = started.map(({ port }) => port);
    this.directoryAddresses = this.directoryPorts.map((port) => `127.0.0.1:${port}`);
  }

  /** Starts the directories again on the ports they had (a gateway still running knows them); replicas at once. */
  async startDirectories(): Promise<void> {
    this.directories = await Promise.all(
      this.directoryPorts.map((port) => startService(directoryMain, this.directoryEnvOn(port), "directory listening")),
    );
  }

  private directoryEnvOn(port: number): NodeJS.ProcessEnv {
    return { ...this.env, DIRECTORY_PORT: String(port), ...this.options.directoryEnv };
  }

  /** Stops the directories only: the gateways keep running without them. SIGKILL simulates a crash. */
  async stopDirectories(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await Promise.all(this.directories.map((directory) => stopService(directory, signal)));
  }

  /** Stops every service; SIGKILL simulates a crash (nothing gets to flush or drain). */
  async stopServices(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await stopService(this.consoleService, signal);
    await Promise.all(this.gateways.map((gateway) => stopService(gateway, signal)));
    await Promise.all(this.directories.map((directory) => stopService(directory, signal)));
  }

  /**
   * After stopDirectories (a crash, say): starts the directories again on fresh ports, since
   * another suite's service may have taken the old ones meanwhile, and so new gateways, whose
   * directory address is fixed at start. Everything happens at once, since a crash test restarts
   * many times: the old gateways stop (SIGTERM, draining) while the directories and the new
   * gateways start; a gateway calls its directory only when a request needs it, so it may start
   * first.
   */
  async restartDirectories(): Promise<void> {
    const gateways = this.gateways;
    await this.chooseDirectoryPorts();
    const chosen = this.directoryPorts;
    await Promise.all([...gateways.map((gateway) => stopService(gateway)), this.startDirectoriesOnChosenPorts(), this.startGateways()]);
    // A directory whose port was taken meanwhile listens elsewhere: its gateways must follow.
    if (this.directoryPorts.some((port, i) => port !== chosen[i])) {
      await Promise.all(this.gateways.map((gateway) => stopService(gateway)));
      await this.startGateways();
    }
  }

  async restart(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stopServices(signal);
    await this.startServices();
  }

  /** Runs the admin CLI against this product's database and returns its stdout. */
  async admin(args: string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<string> {
    const run = promisify(execFile)(process.execPath, [adminMain, ...args], { env: { ...this.env, ...extraEnv } });
    // e.g. `operators add <email> --password-stdin`
    if (stdin !== undefined) run.child.stdin?.end(stdin);
    const { stdout } = await run;
    return stdout;
  }

  /** Runs an admin command that must fail, and returns its exit code and stderr. */
  async adminFailure(args: string[]): Promise<{ code: number; stderr: string }> {
    const failure = await this.admin(args).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    if (failure === undefined) throw new Error(`scimgw-admin ${args.join(" ")} succeeded`);
    return { code: failure.code, stderr: failure.stderr };
  }

  /** Where this product's directory keeps its data, for tools that seed it directly. */
  get databaseLocation(): DatabaseLocation {
    return this.store === "postgres"
      ? { kind: "postgres", url: testPostgresUrl, schema: this.schema, poolMax: 4, statementTimeoutMs: 600_000 }
      : { kind: "sqlite", filename: path.join(this.dataDir, "directory.sqlite") };
  }

  /**
   * The id of a tenant, by name, read through the directory's tenant store in this process: suites
   * call it in passing, and `tenants list` (which the CLI suites run themselves) would cost a Node
   * process each time.
   */
  async tenantIdOf(name: string): Promise<string> {
    const tenant = (await this.withDatabase((db) => createTenantStore(db).list())).find((candidate) => candidate.name === name);
    if (tenant === undefined) throw new Error(`no tenant named ${name}`);
    return tenant.id;
  }

  /** Creates another tenant with the admin CLI (`tenants create`) and returns its first API key. */
  async createTenant(name: string): Promise<string> {
    return (JSON.parse(await this.admin(["tenants", "create", name, "--json"])) as { key: string }).key;
  }

  /**
   * Creates another tenant and its first API key through the directory's own stores, in this
   * process, as `tenants create` does: for suites that need a tenant but are not about the CLI,
   * which would cost a Node process (about a CPU-second) per tenant.
   */
  async seedTenant(name: string): Promise<string> {
    return this.withDatabase(async (db) => {
      const tenant = await createTenantStore(db).create(name);
      return (await createApiKeyStore(db).issue(tenant.id, "first key")).key;
    });
  }

  /** Runs work on this product's database, opened in this process for it and closed after. */
  private async withDatabase<T>(work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
    const db = openDatabase(this.databaseLocation);
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }

  async stop(): Promise<void> {
    await this.stopServices();
    await rm(this.dataDir, { recursive: true, force: true });
    if (this.store === "postgres") await dropSchema(this.schema);
  }
}

function metricsUrlOf(service: RunningService, readyMessage: string): string {
  const line = service.logs.find((candidate) => candidate.includes(`"msg":"${readyMessage}"`));
  return (JSON.parse(line ?? "{}") as { metrics?: string }).metrics ?? "off";
}

async function dropSchema(schema: string): Promise<void> {
  const db = openDatabase({ kind: "postgres", url: testPostgresUrl, schema, poolMax: 2, statementTimeoutMs: 30_000 });
  try {
    await db.raw("drop schema if exists ?? cascade", [schema]);
  } finally {
    await db.destroy();
  }
}
