#!/usr/bin/env node
// `pnpm directory:probe [host:port]`: lists the services a running directory offers (server
// reflection) and the health of each, as `grpcurl -plaintext host:port list` and
// `grpcurl … grpc.health.v1.Health/Check` would. Exit code 0 when every service is SERVING.
// Against a directory behind TLS: DIRECTORY_TLS_CA_FILE, and DIRECTORY_CLIENT_CERT_FILE/_KEY_FILE for mTLS.
import { tlsFilesFromEnv } from "@scimgw/directory-client";
import { channelCredentialsFromFiles } from "@scimgw/grpc";
import { checkHealth, connectProbe, reflect } from "./directory-probe.js";

const address = process.argv[2] ?? process.env.DIRECTORY_ADDRESS ?? "127.0.0.1:50051";
const tlsFiles = tlsFilesFromEnv();
const client = connectProbe(address, tlsFiles === undefined ? undefined : channelCredentialsFromFiles(tlsFiles));
try {
  const { services, error } = await reflect(client, "v1", { listServices: "*" });
  if (error !== undefined) throw new Error(`reflection: ${error}`);
  let healthy = true;
  process.stdout.write(`directory at ${address}\n`);
  for (const service of ["", ...services.filter((name) => name.startsWith("scimgw."))]) {
    const status = await checkHealth(client, service).catch((failure: Error) => `check failed: ${failure.message}`);
    healthy &&= status === "SERVING";
    process.stdout.write(`  ${(service || "(server)").padEnd(36)} ${status}\n`);
  }
  for (const service of services.filter((name) => !name.startsWith("scimgw.")))
    process.stdout.write(`  ${service.padEnd(36)} (standard)\n`);
  process.exitCode = healthy ? 0 : 1;
} catch (error) {
  process.stderr.write(
    `directory:probe: cannot reach the directory at ${address}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 2;
} finally {
  client.close();
}
