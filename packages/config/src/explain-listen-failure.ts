import type { Explanation } from "./exit-with-failure.js";

interface ListenFailure {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
}

/** The settings that choose where an HTTP service listens, e.g. GATEWAY_PORT and GATEWAY_HOST. */
export interface ListenSettings {
  port: string;
  host: string;
}

/**
 * A Node server's failure to listen, explained by the setting to change; undefined for anything
 * else. Listening is the one step of an HTTP service's start that touches the machine.
 */
export function explainListenFailure(error: unknown, settings: ListenSettings): Explanation | undefined {
  const failure = (typeof error === "object" && error !== null ? error : {}) as ListenFailure;
  if (failure.syscall !== "listen" && failure.syscall !== "bind") return undefined;
  const where = `${String(failure.address)}:${String(failure.port)}`;
  switch (failure.code) {
    // Another process (often an earlier instance of the same service) holds the port.
    case "EADDRINUSE":
      return { message: `${settings.port}: ${where} is already in use; stop the other process or choose another port`, exitCode: 2 };
    // Ports below 1024 need privileges; the usual fix is a higher port behind a proxy.
    case "EACCES":
      return { message: `${settings.port}: no permission to listen on ${where}; use a port above 1023 behind a proxy`, exitCode: 2 };
    // The host setting names no address of this machine.
    case "EADDRNOTAVAIL":
      return { message: `${settings.host}: ${String(failure.address)} is not an address of this machine`, exitCode: 2 };
    default:
      return undefined;
  }
}
