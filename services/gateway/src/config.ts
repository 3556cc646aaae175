import { z } from "zod";

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

export type GatewayConfig = z.infer<typeof settings>;

/** Reads the gateway's settings once, at start; every bad one is reported by its name. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const parsed = settings.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`));
  }
  if (parsed.data.SCIM_DEFAULT_PAGE_SIZE > parsed.data.SCIM_MAX_PAGE_SIZE) {
    throw new ConfigError([`SCIM_DEFAULT_PAGE_SIZE: must not exceed SCIM_MAX_PAGE_SIZE (${parsed.data.SCIM_MAX_PAGE_SIZE})`]);
  }
  return parsed.data;
}
