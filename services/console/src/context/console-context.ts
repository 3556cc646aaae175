import type { DirectoryClient } from "@scimgw/directory-client";
import type { Logger } from "pino";

/** What the console calls: the directory's typed client, nothing else. */
export type ConsoleDirectory = Pick<
  DirectoryClient,
  "tenants" | "operators" | "setupLinks" | "apiKeys" | "activity" | "users" | "groups" | "schemas" | "watchChanges"
>;

/** What every route of the console shares. */
/** How many requests one caller may make in a window, and the window's length. */
export interface RequestLimit {
  requests: number;
  seconds: number;
}

export interface ConsoleContext {
  directory: ConsoleDirectory;
  logger: Logger;
  /** CONSOLE_PUBLIC_URL: the origin setup links start with; unset, each request's own. */
  publicUrl: string | undefined;
  /** The gateway's public origin: the SCIM base URL shown is `{origin}/services/scim/v2`. */
  scimOrigin: string;
  /** How often live views ask the directory for new activity. */
  pollMs: number;
  /** How many API keys one setup link may issue in a window. */
  setupKeyLimit: RequestLimit;
}

/** The signed-in operator, on ctx.state of every operator route. */
export interface OperatorState {
  operator: { email: string; csrfToken: string };
}
