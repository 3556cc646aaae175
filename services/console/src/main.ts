import { exitWithFailure } from "@scimgw/config";
import { createDirectoryClient, followCredentialFile } from "@scimgw/directory-client";
import { createLogger, outgoingCallMetadata } from "@scimgw/observability";
import { loadConsoleConfig } from "./config.js";
import { createConsole } from "./create-console.js";
import { explainStartFailure } from "./errors/explain-start-failure.js";

async function main(): Promise<void> {
  const config = loadConsoleConfig(process.env);
  const logger = createLogger({ name: "console", level: config.LOG_LEVEL });
  // A credential replaced on disk (bootstrap after a revocation) is used within a second.
  const credentialFile =
    config.DIRECTORY_CREDENTIAL_FILE === undefined
      ? undefined
      : followCredentialFile(config.DIRECTORY_CREDENTIAL_FILE, config.directoryCredential, logger);
  const directory = createDirectoryClient({
    address: config.DIRECTORY_ADDRESS,
    serviceCredential: credentialFile?.current ?? config.directoryCredential,
    defaultTimeoutMs: config.DIRECTORY_TIMEOUT_MS,
    // Each call carries the id of the request it is made for, so the directory's lines match ours.
    callMetadata: outgoingCallMetadata,
    ...(config.directoryTls === undefined ? {} : { tls: config.directoryTls }),
  });
  const app = createConsole({
    directory,
    logger,
    trustProxy: config.TRUST_PROXY,
    ...(config.CONSOLE_PUBLIC_URL === undefined ? {} : { publicUrl: config.CONSOLE_PUBLIC_URL }),
    ...(config.scimPublicOrigin === undefined ? {} : { scimOrigin: config.scimPublicOrigin }),
  });
  const server = app.listen(config.CONSOLE_PORT, config.CONSOLE_HOST);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.CONSOLE_PORT;
  const url = config.CONSOLE_PUBLIC_URL ?? `http://localhost:${port}`;
  logger.info(
    {
      port,
      url,
      directory: config.DIRECTORY_ADDRESS,
      directoryTransport: config.directoryTls ? "tls" : "plaintext",
      trustProxy: config.TRUST_PROXY,
    },
    "console listening",
  );

  const stop = (signal: string) => {
    logger.info({ signal }, "console stopping");
    // Live views (Server-Sent Events) never end by themselves: close them with the idle ones.
    server.close(() => {
      directory.close();
      credentialFile?.close();
      logger.info("console stopped");
    });
    server.closeAllConnections();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => exitWithFailure("console", error, explainStartFailure));
