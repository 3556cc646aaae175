import { ConfigError } from "@scimgw/config";
import type { ChannelTlsFiles } from "@scimgw/grpc";

/**
 * A directory client's TLS files from the environment, under the names every client of ours
 * reads: DIRECTORY_TLS_CA_FILE (the CA that signed the directory's certificate) and, for mutual
 * TLS, DIRECTORY_CLIENT_CERT_FILE with DIRECTORY_CLIENT_KEY_FILE. Undefined when none is set
 * (plaintext, for loopback and private networks). Not DIRECTORY_TLS_CERT_FILE/_KEY_FILE: those
 * are the directory's own identity, and one environment may hold both.
 */
export function tlsFilesFromEnv(env: NodeJS.ProcessEnv = process.env): ChannelTlsFiles | undefined {
  const caFile = env.DIRECTORY_TLS_CA_FILE || undefined;
  const certFile = env.DIRECTORY_CLIENT_CERT_FILE || undefined;
  const keyFile = env.DIRECTORY_CLIENT_KEY_FILE || undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(["DIRECTORY_CLIENT_CERT_FILE and DIRECTORY_CLIENT_KEY_FILE: a client certificate needs both"]);
  }
  if (caFile === undefined && certFile === undefined) return undefined;
  return {
    ...(caFile === undefined ? {} : { caFile }),
    ...(certFile === undefined ? {} : { certFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
  };
}
