import { explainPostgresFailure, type Explanation } from "@scimgw/config";

interface ListenFailure {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
}

/**
 * The gateway's one table from a failed start to what the operator should change. Listening is
 * the only step that touches the machine, and the rate-limit store the only database.
 */
export function explainStartFailure(error: unknown): Explanation | undefined {
  const failure = (typeof error === "object" && error !== null ? error : {}) as ListenFailure;
  if (failure.syscall === "listen" || failure.syscall === "bind") {
    const where = `${String(failure.address)}:${String(failure.port)}`;
    switch (failure.code) {
      // Another process (often an earlier gateway) holds the port.
      case "EADDRINUSE":
        return { message: `GATEWAY_PORT: ${where} is already in use; stop the other process or choose another port`, exitCode: 2 };
      // Ports below 1024 need privileges; the usual fix is a higher port behind a proxy.
      case "EACCES":
        return { message: `GATEWAY_PORT: no permission to listen on ${where}; use a port above 1023 behind a proxy`, exitCode: 2 };
      // GATEWAY_HOST is not an address of this machine.
      case "EADDRNOTAVAIL":
        return { message: `GATEWAY_HOST: ${String(failure.address)} is not an address of this machine`, exitCode: 2 };
      default:
        break;
    }
  }
  return explainPostgresFailure(error, "RATE_LIMIT_DATABASE_URL");
}
