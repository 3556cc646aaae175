import { readFileSync } from "node:fs";
import { z } from "zod";
import { channelTlsFilesFromEnv, type ChannelTlsFiles } from "@scimgw/grpc";

/** Settings that hold secrets (a credential, a database password): never echoed in errors. */
const secretSettings = new Set(["DIRECTORY_CREDENTIAL"]);

/** A bad value as an error message may show it: secrets by their length only. */
function shownValue(name: string, value: string | undefined): string {
  if (value !== undefined && secretSettings.has(name)) return `a value of ${value.length} characters, not shown`;
  return JSON.stringify(value);
}

/** A setting that failed validation, named as the user wrote it. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const settings = z.object({
  GATEWAY_HOST: z.string().min(1).default("0.0.0.0"),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DIRECTORY_ADDRESS: z.string().regex(/^[^\s]+:\d+$/, "must be host:port").default("127.0.0.1:50051"),
  DIRECTORY_TIMEOUT_MS: positiveInt.default(10_000),
  // The gateway's own read-write service credential, inline or (better for secrets) in a file.
  // Trimmed: secrets mounted from files or written with echo end in a newline.
  DIRECTORY_CREDENTIAL: z.string().trim().regex(/^\S+$/, "must be one token without spaces").optional(),
  DIRECTORY_CREDENTIAL_FILE: z.string().min(1).optional(),
  DIRECTORY_TLS_CA_FILE: z.string().min(1).optional(),
  // The gateway's own client certificate, for a directory that requires mutual TLS. Not the
  // DIRECTORY_TLS_* names the directory reads for its server certificate: one environment may
  // hold both, and the gateway must not present the directory's identity.
  DIRECTORY_CLIENT_CERT_FILE: z.string().min(1).optional(),
  DIRECTORY_CLIENT_KEY_FILE: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ""))
    .refine((url) => !url.includes("/services/scim"), "is the origin only (e.g. https://scim.example.com), without /services/scim/v2")
    .optional(),
  TRUST_PROXY: flag.default(false),
  SCIM_DEFAULT_PAGE_SIZE: positiveInt.default(100),
  SCIM_MAX_PAGE_SIZE: positiveInt.max(1000).default(1000),
  // Members read per directory call while a group's members are streamed (ListGroupMembers allows 5000).
  GROUP_MEMBER_PAGE_SIZE: positiveInt.max(5000).default(2000),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  MAX_BODY_SIZE: z.string().regex(/^\d+(kb|mb)$/i, "must look like 512kb or 5mb").default("5mb"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type GatewayConfig = z.infer<typeof settings> & {
  /** The service credential presented on every directory call. */
  directoryCredential: string;
  /** TLS towards the directory; unset is plaintext (loopback or a private network). */
  directoryTls: ChannelTlsFiles | undefined;
};

const credentialHelp = "issue one with `scimgw-admin credentials issue gateway --scope read-write` (pnpm admin …)";

function readCredential(data: z.infer<typeof settings>): string {
  if (data.DIRECTORY_CREDENTIAL !== undefined && data.DIRECTORY_CREDENTIAL_FILE !== undefined) {
    throw new ConfigError(["DIRECTORY_CREDENTIAL and DIRECTORY_CREDENTIAL_FILE: set one, not both"]);
  }
  if (data.DIRECTORY_CREDENTIAL !== undefined) return data.DIRECTORY_CREDENTIAL;
  if (data.DIRECTORY_CREDENTIAL_FILE === undefined) {
    throw new ConfigError([`DIRECTORY_CREDENTIAL or DIRECTORY_CREDENTIAL_FILE: the gateway needs a read-write service credential for the directory; ${credentialHelp}`]);
  }
  let content: string;
  try {
    content = readFileSync(data.DIRECTORY_CREDENTIAL_FILE, "utf8").trim();
  } catch (error) {
    throw new ConfigError([`DIRECTORY_CREDENTIAL_FILE: cannot read ${data.DIRECTORY_CREDENTIAL_FILE} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  if (!/^\S+$/.test(content)) throw new ConfigError([`DIRECTORY_CREDENTIAL_FILE: ${data.DIRECTORY_CREDENTIAL_FILE} must hold one credential; ${credentialHelp}`]);
  return content;
}

/** Reads the gateway's settings once, at start; every bad one is reported by its name. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const parsed = settings.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (got ${shownValue(String(issue.path[0]), env[String(issue.path[0])])})`));
  }
  if (parsed.data.SCIM_DEFAULT_PAGE_SIZE > parsed.data.SCIM_MAX_PAGE_SIZE) {
    throw new ConfigError([`SCIM_DEFAULT_PAGE_SIZE: must not exceed SCIM_MAX_PAGE_SIZE (${parsed.data.SCIM_MAX_PAGE_SIZE})`]);
  }
  const { DIRECTORY_TLS_CA_FILE: caFile, DIRECTORY_CLIENT_CERT_FILE: certFile, DIRECTORY_CLIENT_KEY_FILE: keyFile } = parsed.data;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(["DIRECTORY_CLIENT_CERT_FILE and DIRECTORY_CLIENT_KEY_FILE: a client certificate needs both"]);
  }
  return {
    ...parsed.data,
    directoryCredential: readCredential(parsed.data),
    // The same names every client of ours reads; validated above.
    directoryTls: channelTlsFilesFromEnv({ DIRECTORY_TLS_CA_FILE: caFile, DIRECTORY_CLIENT_CERT_FILE: certFile, DIRECTORY_CLIENT_KEY_FILE: keyFile }),
  };
}
