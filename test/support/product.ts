import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const directoryMain = path.join(root, "services/directory/dist/main.js");
const gatewayMain = path.join(root, "services/gateway/dist/main.js");
const adminMain = path.join(root, "services/directory/dist/admin/main.js");

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
    const timer = setTimeout(() => reject(new Error(`${path.basename(path.dirname(path.dirname(main)))} did not start in 20 s:\n${logs.join("\n")}\n${stderr}`)), 20_000);
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

async function stopService(service: RunningService | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (service === undefined || service.child.exitCode !== null || service.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => service.child.once("exit", () => resolve()));
  service.child.kill(signal);
  await exited;
}

export interface ProductOptions {
  /** Gateway settings to override (e.g. API_KEY_CACHE_SECONDS). */
  gatewayEnv?: Record<string, string>;
}

/**
 * The real product as a user runs it: the built directory and gateway processes on free ports,
 * with a temporary data folder, bootstrapped by the admin CLI exactly as `pnpm start` does.
 */
export class Product {
  readonly dataDir: string;
  private directory: RunningService | undefined;
  private gateway: RunningService | undefined;
  private gatewayPort = 0;
  private directoryPort = 0;
  /** The API key of the tenant "default" created at bootstrap. */
  apiKey = "";

  private constructor(dataDir: string, private readonly options: ProductOptions) {
    this.dataDir = dataDir;
  }

  static async start(options: ProductOptions = {}): Promise<Product> {
    const product = new Product(await mkdtemp(path.join(tmpdir(), "scimgw-e2e-")), options);
    const bootstrap = JSON.parse(await product.admin(["bootstrap"])) as { key: string };
    product.apiKey = bootstrap.key;
    await product.startServices();
    return product;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}/services/scim/v2`;
  }

  private get env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, DATA_DIR: this.dataDir, LOG_LEVEL: "info" };
  }

  async startServices(): Promise<void> {
    this.directoryPort = await freePort();
    this.directory = await startService(directoryMain, { ...this.env, DIRECTORY_PORT: String(this.directoryPort) }, "directory listening");
    this.gatewayPort = await freePort();
    this.gateway = await startService(
      gatewayMain,
      { ...this.env, GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: String(this.gatewayPort), DIRECTORY_ADDRESS: `127.0.0.1:${this.directoryPort}`, ...this.options.gatewayEnv },
      "gateway listening",
    );
  }

  /** Stops both services; SIGKILL simulates a crash (nothing gets to flush or drain). */
  async stopServices(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await stopService(this.gateway, signal);
    await stopService(this.directory, signal);
  }

  async restart(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.stopServices(signal);
    await this.startServices();
  }

  /** Runs the admin CLI against this product's database and returns its stdout. */
  async admin(args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(process.execPath, [adminMain, ...args], { env: this.env });
    return stdout;
  }

  /** Creates another tenant and returns its first API key. */
  async createTenant(name: string): Promise<string> {
    return (JSON.parse(await this.admin(["tenants", "create", name, "--json"])) as { key: string }).key;
  }

  async stop(): Promise<void> {
    await this.stopServices();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
