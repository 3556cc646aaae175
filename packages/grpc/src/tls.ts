import { readFileSync } from "node:fs";
import { credentials as grpcCredentials, ServerCredentials, type ChannelCredentials } from "@grpc/grpc-js";

export interface ServerTlsFiles {
  /** PEM certificate chain the server presents. */
  certFile: string;
  /** PEM private key of that certificate. */
  keyFile: string;
  /** PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS). */
  clientCaFile?: string;
}

/** Server credentials from PEM files: TLS, or mutual TLS when a client CA is given. */
export function serverCredentialsFromFiles(files: ServerTlsFiles): ServerCredentials {
  const clientCa = files.clientCaFile === undefined ? null : readFileSync(files.clientCaFile);
  return ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: readFileSync(files.certFile), private_key: readFileSync(files.keyFile) }],
    clientCa !== null,
  );
}

export interface ChannelTlsFiles {
  /** PEM CA bundle that signed the server's certificate; unset trusts the system's roots. */
  caFile?: string;
  /** The client's own certificate and key, for servers that require mutual TLS. */
  certFile?: string;
  keyFile?: string;
}

/** Channel credentials from PEM files. A client certificate needs both its cert and key file. */
export function channelCredentialsFromFiles(files: ChannelTlsFiles): ChannelCredentials {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new Error("a client certificate needs both its certificate file and its key file");
  }
  return grpcCredentials.createSsl(
    files.caFile === undefined ? null : readFileSync(files.caFile),
    files.keyFile === undefined ? null : readFileSync(files.keyFile),
    files.certFile === undefined ? null : readFileSync(files.certFile),
  );
}
