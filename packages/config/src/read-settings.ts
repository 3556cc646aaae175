import type { z } from "zod";
import { ConfigError } from "./config-error.js";

export interface ReadSettingsOptions {
  /** Settings that hold secrets (a credential, a database URL with its password): never echoed. */
  secrets?: readonly string[];
}

/** A bad value as an error message may show it: a secret by its length only. */
function shownValue(value: string | undefined, secret: boolean): string {
  if (value !== undefined && secret) return `a value of ${value.length} characters, not shown`;
  return JSON.stringify(value);
}

/**
 * Parses the environment with a zod object schema, once, at start. Every problem is reported at
 * once, by the variable's name and the value found (secrets hidden), as one ConfigError.
 */
export function readSettings<Schema extends z.ZodType>(
  schema: Schema,
  env: NodeJS.ProcessEnv,
  options: ReadSettingsOptions = {},
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const secrets = new Set(options.secrets);
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${issue.path.join(".")}: ${issue.message} (got ${shownValue(env[name], secrets.has(name))})`;
    }),
  );
}
