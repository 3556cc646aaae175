import { explainListenFailure, explainPostgresFailure, type Explanation } from "@scimgw/config";

/**
 * The gateway's one table from a failed start to what the operator should change. Listening is
 * the only step that touches the machine, and the rate-limit store the only database.
 */
export function explainStartFailure(error: unknown): Explanation | undefined {
  return (
    explainListenFailure(error, { port: "GATEWAY_PORT", host: "GATEWAY_HOST" }) ?? explainPostgresFailure(error, "RATE_LIMIT_DATABASE_URL")
  );
}
