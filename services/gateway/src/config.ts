import { z } from "zod";
import { ConfigError, flagSetting, heapGrowthSetting, readSettings } from "@scimgw/config";
import { credentialFromSettings, tlsFilesFromEnv, type ChannelTlsFiles } from "@scimgw/directory-client";
import { metricsHost, metricsPort } from "@scimgw/metrics";
import { defaultScimLimits, type ScimLimits } from "@scimgw/scim";
import { defaultAllowedHosts, parseHost, type AllowedHost } from "./http/public-origin.js";

const positiveInt = z.coerce.number().int().positive();
/**
 * A SCIM limit (see ScimLimits): it may be set lower than the SCIM core's default, never higher,
 * because the directory holds every caller to the defaults and the gRPC message limit is sized
 * from them.
 */
const limit = (name: keyof ScimLimits) => positiveInt.max(defaultScimLimits[name]).default(defaultScimLimits[name]);

const settings = z.object({
  GATEWAY_HOST: z.string().min(1).default("0.0.0.0"),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DIRECTORY_ADDRESS: z
    .string()
    .regex(/^[^\s]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  DIRECTORY_TIMEOUT_MS: positiveInt.default(10_000),
  // The gateway's own read-write service credential, inline or (better for secrets) in a file.
  // Trimmed: secrets mounted from files or written with echo end in a newline.
  DIRECTORY_CREDENTIAL: z.string().trim().regex(/^\S+$/, "must be one token without spaces").optional(),
  DIRECTORY_CREDENTIAL_FILE: z.string().min(1).optional(),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ""))
    .refine((url) => !url.includes("/services/scim"), "is the origin only (e.g. https://scim.example.com), without /services/scim/v2")
    .optional(),
  // Hosts whose Host header may name the origin of Location and meta.location when PUBLIC_BASE_URL
  // is unset (host or host:port, comma-separated); any other Host gets relative links.
  ALLOWED_HOSTS: z
    .string()
    .transform((value, context) => {
      const entries = value
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== "");
      const parsed = entries.map(parseHost);
      const bad = entries.filter((_, i) => parsed[i] === undefined);
      if (bad.length > 0) context.addIssue({ code: "custom", message: `not host or host:port: ${bad.join(", ")}` });
      return parsed.filter((entry): entry is AllowedHost => entry !== undefined);
    })
    .optional(),
  TRUST_PROXY: flagSetting.default(false),
  // Rate limits (issue 11). Defaults let Entra (about 25 requests/s per app) and Okta's imports
  // (bursts of parallel pages) run unthrottled; see README "Rate limits".
  RATE_LIMIT_KEY_PER_SECOND: positiveInt.default(50),
  RATE_LIMIT_KEY_BURST: positiveInt.default(200),
  RATE_LIMIT_TENANT_PER_SECOND: positiveInt.default(100),
  RATE_LIMIT_TENANT_BURST: positiveInt.default(400),
  // Unknown or revoked keys per client address per minute before its unknown keys get 429 unasked.
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: positiveInt.default(30),
  // Shared counters for several gateways; unset, each gateway counts in memory.
  RATE_LIMIT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  RATE_LIMIT_TABLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier")
    .default("scimgw_rate_limits"),
  SCIM_DEFAULT_PAGE_SIZE: positiveInt.default(100),
  SCIM_MAX_PAGE_SIZE: positiveInt.max(1000).default(1000),
  // Members read per directory call while a group's members are streamed (ListGroupMembers allows 5000).
  GROUP_MEMBER_PAGE_SIZE: positiveInt.max(5000).default(2000),
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  MAX_BODY_SIZE: z
    .string()
    .regex(/^\d+(kb|mb)$/i, "must look like 512kb or 5mb")
    .default("5mb"),
  SCIM_MAX_PATCH_OPERATIONS: limit("maxPatchOperations"),
  SCIM_MAX_PATCH_MEMBERS: limit("maxPatchMemberValues"),
  SCIM_MAX_MEMBERS: limit("maxMembers"),
  SCIM_MAX_FILTER_COMPARISONS: limit("maxFilterComparisons"),
  SCIM_MAX_VALUES: limit("maxMultiValuedElements"),
  SCIM_MAX_IDENTIFIER_LENGTH: limit("maxIdentifierLength"),
  SCIM_MAX_STRING_LENGTH: limit("maxStringLength"),
  SCIM_MAX_RESOURCE_BYTES: limit("maxResourceBytes"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Prometheus metrics on a port of their own, loopback by default: never on the SCIM port,
  // which identity providers reach. See README "Operations › Metrics".
  GATEWAY_METRICS_HOST: metricsHost,
  GATEWAY_METRICS_PORT: metricsPort(9464),
  // Tenants with a metric label of their own; the rest are counted together as "other".
  METRICS_MAX_TENANTS: z.coerce.number().int().min(0).max(10_000).default(100),
  HEAP_GROWTH_PERCENT: heapGrowthSetting,
});

export type GatewayConfig = z.infer<typeof settings> & {
  /** The service credential presented on every directory call. */
  directoryCredential: string;
  /** TLS towards the directory; unset is plaintext (loopback or a private network). */
  directoryTls: ChannelTlsFiles | undefined;
  /** The SCIM_MAX_* settings as the SCIM core takes them. */
  limits: ScimLimits;
  allowedHosts: readonly AllowedHost[];
};

const credentialHelp = "issue one with `scimgw-admin credentials issue gateway --scope read-write --all-tenants` (pnpm admin …)";

/** Reads the gateway's settings once, at start; every bad one is reported by its name. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const data = readSettings(settings, env, { secrets: ["DIRECTORY_CREDENTIAL", "RATE_LIMIT_DATABASE_URL"] });
  if (data.SCIM_DEFAULT_PAGE_SIZE > data.SCIM_MAX_PAGE_SIZE) {
    throw new ConfigError([`SCIM_DEFAULT_PAGE_SIZE: must not exceed SCIM_MAX_PAGE_SIZE (${data.SCIM_MAX_PAGE_SIZE})`]);
  }
  for (const scope of ["KEY", "TENANT"] as const) {
    if (data[`RATE_LIMIT_${scope}_BURST`] < data[`RATE_LIMIT_${scope}_PER_SECOND`])
      throw new ConfigError([`RATE_LIMIT_${scope}_BURST: must be at least RATE_LIMIT_${scope}_PER_SECOND`]);
  }
  return {
    ...data,
    directoryCredential: credentialFromSettings(data, "the gateway needs a read-write service credential", credentialHelp),
    // The gateway's own client certificate for mutual TLS, under the names every client of ours reads.
    directoryTls: tlsFilesFromEnv(env),
    limits: {
      maxPatchOperations: data.SCIM_MAX_PATCH_OPERATIONS,
      maxPatchMemberValues: data.SCIM_MAX_PATCH_MEMBERS,
      maxMembers: data.SCIM_MAX_MEMBERS,
      maxFilterComparisons: data.SCIM_MAX_FILTER_COMPARISONS,
      maxMultiValuedElements: data.SCIM_MAX_VALUES,
      maxIdentifierLength: data.SCIM_MAX_IDENTIFIER_LENGTH,
      maxStringLength: data.SCIM_MAX_STRING_LENGTH,
      maxResourceBytes: data.SCIM_MAX_RESOURCE_BYTES,
    },
    allowedHosts: data.ALLOWED_HOSTS ?? defaultAllowedHosts,
  };
}
