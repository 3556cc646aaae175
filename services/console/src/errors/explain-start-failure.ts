import { explainListenFailure, type Explanation } from "@scimgw/config";

/** The console's table from a failed start to what to change: listening is the only step that touches the machine. */
export function explainStartFailure(error: unknown): Explanation | undefined {
  return explainListenFailure(error, { port: "CONSOLE_PORT", host: "CONSOLE_HOST" });
}
