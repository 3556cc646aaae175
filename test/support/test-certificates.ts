import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, as PEM
 * files in `folder`, made with the openssl command line (on every machine of ours).
 */
export function makeTestCertificates(folder: string): TestCertificates {
  const file = (name: string) => path.join(folder, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=scimgw test CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  const issue = (name: string, subject: string, extension: string) => {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), extension);
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      file(`${name}.ext`),
      "-out",
      file(`${name}.pem`),
    );
  };
  issue("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  issue("client", "/CN=gateway", "extendedKeyUsage=clientAuth\n");
  return {
    ca: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
  };
}
