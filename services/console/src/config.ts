import { z } from "zod";
import { ConfigError, flagSetting, readSettings } from "@scimgw/config";
import { credentialFromSettings, tlsFilesFromEnv, type ChannelTlsFiles } from "@scimgw/directory-client";

const origin = z
  .url({ protocol: /^https?$/ })
  .transform((url) => new URL(url))
  .refine((url) => url.pathname === "/" && url.search === "" && url.hash === "", "is an origin only (e.g. https://console.example.com)")
  .transform((url) => url.origin);

const settings = z.object({
  CONSOLE_HOST: z.string().min(1).default("0.0.0.0"),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  // The console's public origin: the setup links it makes start with it, and an https origin makes
  // its cookies Secure (with the __Host- prefix). Unset, both come from each request.
  CONSOLE_PUBLIC_URL: origin.optional(),
  // The gateway's public origin, shown to IT admins as the SCIM base URL ({origin}/services/scim/v2).
  SCIM_PUBLIC_BASE_URL: origin.optional(),
  PUBLIC_BASE_URL: z.string().optional(),
  DIRECTORY_ADDRESS: z
    .string()
    .regex(/^[^\s]+:\d+$/, "must be host:port")
    .default("127.0.0.1:50051"),
  DIRECTORY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  DIRECTORY_CREDENTIAL: z.string().trim().regex(/^\S+$/, "must be one token without spaces").optional(),
  DIRECTORY_CREDENTIAL_FILE: z.string().min(1).optional(),
  TRUST_PROXY: flagSetting.default(false),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ConsoleConfig = Omit<z.infer<typeof settings>, "PUBLIC_BASE_URL" | "SCIM_PUBLIC_BASE_URL"> & {
  /** The console's admin-scope, all-tenants service credential. */
  directoryCredential: string;
  directoryTls: ChannelTlsFiles | undefined;
  /** The gateway's public origin (SCIM_PUBLIC_BASE_URL, else PUBLIC_BASE_URL), if known. */
  scimPublicOrigin: string | undefined;
};

const credentialHelp = "issue one with `scimgw-admin bootstrap --console-credential-file <file>` (pnpm admin …)";

/** PUBLIC_BASE_URL is the gateway's setting; the console reuses it when both run with one environment. */
function gatewayOrigin(data: z.infer<typeof settings>): string | undefined {
  if (data.SCIM_PUBLIC_BASE_URL !== undefined) return data.SCIM_PUBLIC_BASE_URL;
  if (data.PUBLIC_BASE_URL === undefined || data.PUBLIC_BASE_URL === "") return undefined;
  const parsed = origin.safeParse(data.PUBLIC_BASE_URL.replace(/\/+$/, ""));
  if (!parsed.success) throw new ConfigError([`PUBLIC_BASE_URL: is an origin only (e.g. https://scim.example.com)`]);
  return parsed.data;
}

/** Reads the console's settings once, at start; every bad one is reported by its name. */
export function loadConsoleConfig(env: NodeJS.ProcessEnv): ConsoleConfig {
  const data = readSettings(settings, env, { secrets: ["DIRECTORY_CREDENTIAL"] });
  const { PUBLIC_BASE_URL: _gateway, SCIM_PUBLIC_BASE_URL: _scim, ...rest } = data;
  return {
    ...rest,
    directoryCredential: credentialFromSettings(data, "the console needs an admin-scope service credential", credentialHelp),
    directoryTls: tlsFilesFromEnv(env),
    scimPublicOrigin: gatewayOrigin(data),
  };
}
