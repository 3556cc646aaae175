import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { openDatabase, type DatabaseLocation } from "@scimgw/directory";
import { testPostgresUrl, uniqueSchemaName, type StoreKind } from "@scimgw/test-stores";
import { stopChild } from "./child-process.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const directoryMain = path.join(root, "services/directory/dist/main.js");
const gatewayMain = path.join(root, "services/gateway/dist/main.js");
const adminMain = path.join(root, "services/directory/dist/admin/main.js");

/**
 * Above any load this harness makes: the limits still count every request (their cost is part of
 * the figure), they just never refuse one.
 */
const unlimited = {
  RATE_LIMIT_KEY_PER_SECOND: "1000000",
  RATE_LIMIT_KEY_BURST: "1000000",
  RATE_LIMIT_TENANT_PER_SECOND: "1000000",
  RATE_LIMIT_TENANT_BURST: "1000000",
};

async function freePort(): Promise<number> {
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

/**
 * Starts a built service with its log going to a file, as a deployment's log collector would take
 * it: nothing in this process reads (and so pays for) the access log while the load runs. Ready
 * when the file has the service's "listening" line.
 */
async function startService(
  main: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  readyMessage: string,
  cpuProfileDir: string | undefined,
): Promise<ChildProcess> {
  const log = openSync(logFile, "a");
  // V8 writes the profile when the process exits on its own, as both services do on SIGTERM.
  const profiling = cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawn(process.execPath, [...profiling, main], { env, stdio: ["ignore", log, log] });
  closeSync(log);
  const startedAt = Date.now();
  while (!readFileSync(logFile, "utf8").includes(`"msg":"${readyMessage}"`)) {
    const tail = () => readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    if (child.exitCode !== null) throw new Error(`${main} exited with code ${child.exitCode}:\n${tail()}`);
    // A failure detector, not a latency bound: a busy machine may take a while to start Node.
    if (Date.now() - startedAt > 60_000) throw new Error(`${main} did not start in 60 s:\n${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

/**
 * Starts a service on a port freePort found, choosing another if the service finds it taken:
 * freePort cannot reserve a port, and the other service's metrics listener (port 0) or another
 * process on the machine may be handed it first.
 */
async function startOnFreePort(start: (port: number) => Promise<ChildProcess>): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return { child: await start(port), port };
    } catch (error) {
      if (attempt === 5 || !String(error).includes("is already in use")) throw error;
    }
  }
}

/**
 * The real product as a user runs it, one directory and one gateway from their built dist/, on
 * free ports, with a temporary data folder (or a PostgreSQL schema of its own), bootstrapped by
 * the admin CLI as `pnpm start` does. A small copy of test/support/product.ts's idea: that one
 * lives in the e2e suites' package, which exports nothing, and keeps every log line in memory.
 */
export class Product {
  private directory: ChildProcess | undefined;
  private gateway: ChildProcess | undefined;
  private readonly schema = uniqueSchemaName("bench");
  baseUrl = "";
  /** The API key of the tenant "default" created at bootstrap. */
  apiKey = "";

  private constructor(
    readonly dataDir: string,
    readonly store: StoreKind,
    /** Settings of the services' own beside the harness's (PRODUCT_ENV), to compare two settings. */
    private readonly settings: Readonly<Record<string, string>>,
  ) {}

  /**
   * With cpuProfileDir, each service writes a V8 CPU profile of its whole life there when it stops;
   * `settings` go into every service's environment, over the harness's own.
   */
  static async start(store: StoreKind, options: { cpuProfileDir?: string; settings?: Record<string, string> } = {}): Promise<Product> {
    const product = new Product(await mkdtemp(path.join(tmpdir(), "scimgw-bench-")), store, options.settings ?? {});
    try {
      const bootstrap = JSON.parse(await product.admin(["bootstrap", "--gateway-credential-file", product.credentialFile])) as {
        key: string;
      };
      product.apiKey = bootstrap.key;
      const directory = await startOnFreePort((port) =>
        startService(
          directoryMain,
          { ...product.env, DIRECTORY_PORT: String(port) },
          path.join(product.dataDir, "directory.log"),
          "directory listening",
          options.cpuProfileDir,
        ),
      );
      product.directory = directory.child;
      const gateway = await startOnFreePort((port) =>
        startService(
          gatewayMain,
          {
            ...product.env,
            ...unlimited,
            GATEWAY_HOST: "127.0.0.1",
            GATEWAY_PORT: String(port),
            DIRECTORY_ADDRESS: `127.0.0.1:${directory.port}`,
            DIRECTORY_CREDENTIAL_FILE: product.credentialFile,
            // Filling the large group in PATCHes of 10,000 members (about 0.6 MB each) is well under it.
            MAX_BODY_SIZE: "20mb",
          },
          path.join(product.dataDir, "gateway.log"),
          "gateway listening",
          options.cpuProfileDir,
        ),
      );
      product.gateway = gateway.child;
      product.baseUrl = `http://127.0.0.1:${gateway.port}/services/scim/v2`;
      return product;
    } catch (error) {
      await product.stop();
      throw error;
    }
  }

  private get credentialFile(): string {
    return path.join(this.dataDir, "gateway.credential");
  }

  /** The settings every service and admin command of this product runs with. */
  private get env(): NodeJS.ProcessEnv {
    const store = this.store === "postgres" ? { DATABASE_URL: testPostgresUrl, DATABASE_SCHEMA: this.schema } : {};
    return {
      PATH: process.env.PATH,
      DATA_DIR: this.dataDir,
      LOG_LEVEL: "info",
      ...this.settings,
      GATEWAY_METRICS_PORT: "0",
      DIRECTORY_METRICS_PORT: "0",
      ...store,
    };
  }

  /**
   * Whether the product's PostgreSQL runs on this machine, so that its CPU per request is counted
   * beside the services' (it shares their cores); a remote one's is not this machine's to count.
   */
  get postgresServerIsLocal(): boolean {
    return this.store === "postgres" && ["127.0.0.1", "localhost", "[::1]"].includes(new URL(testPostgresUrl).hostname);
  }

  /** The process ids whose memory the harness samples. */
  get pids(): { directory: number; gateway: number } {
    return { directory: this.directory?.pid ?? 0, gateway: this.gateway?.pid ?? 0 };
  }

  /** Where the directory keeps its data, for seeding it directly. */
  get databaseLocation(): DatabaseLocation {
    return this.store === "postgres"
      ? { kind: "postgres", url: testPostgresUrl, schema: this.schema, poolMax: 4, statementTimeoutMs: 600_000 }
      : { kind: "sqlite", filename: path.join(this.dataDir, "directory.sqlite") };
  }

  async admin(args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [adminMain, ...args], { env: this.env });
    return stdout;
  }

  async tenantIdOf(name: string): Promise<string> {
    const tenants = JSON.parse(await this.admin(["tenants", "list", "--json"])) as Array<{ id: string; name: string }>;
    const tenant = tenants.find((candidate) => candidate.name === name);
    if (tenant === undefined) throw new Error(`no tenant named ${name}`);
    return tenant.id;
  }

  /** Creates a tenant and returns its id and first API key. */
  async createTenant(name: string): Promise<{ id: string; key: string }> {
    const created = JSON.parse(await this.admin(["tenants", "create", name, "--json"])) as { tenant: { id: string }; key: string };
    return { id: created.tenant.id, key: created.key };
  }

  async stop(): Promise<void> {
    if (this.gateway !== undefined) await stopChild(this.gateway);
    if (this.directory !== undefined) await stopChild(this.directory);
    await rm(this.dataDir, { recursive: true, force: true });
    if (this.store === "postgres") {
      const db = openDatabase({ kind: "postgres", url: testPostgresUrl, schema: this.schema, poolMax: 2, statementTimeoutMs: 60_000 });
      try {
        await db.raw("drop schema if exists ?? cascade", [this.schema]);
      } finally {
        await db.destroy();
      }
    }
  }
}
