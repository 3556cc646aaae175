import type { Explanation } from "@scimgw/config";

interface ListenFailure {
  code?: unknown;
  syscall?: unknown;
  address?: unknown;
  port?: unknown;
}

/** The console's table from a failed start to what to change: listening is the only step that touches the machine. */
export function explainStartFailure(error: unknown): Explanation | undefined {
  const failure = (typeof error === "object" && error !== null ? error : {}) as ListenFailure;
  if (failure.syscall !== "listen" && failure.syscall !== "bind") return undefined;
  const where = `${String(failure.address)}:${String(failure.port)}`;
  switch (failure.code) {
    case "EADDRINUSE":
      return { message: `CONSOLE_PORT: ${where} is already in use; stop the other process or choose another port`, exitCode: 2 };
    case "EACCES":
      return { message: `CONSOLE_PORT: no permission to listen on ${where}; use a port above 1023 behind a proxy`, exitCode: 2 };
    case "EADDRNOTAVAIL":
      return { message: `CONSOLE_HOST: ${String(failure.address)} is not an address of this machine`, exitCode: 2 };
    default:
      return undefined;
  }
}
