// The product with the directory behind mutual TLS, configured only through the documented
// settings: the gateway presents its client certificate and SCIM works; an internal client without
// a certificate is refused at the handshake, one with it (and a credential) reads; the probe reaches
// health over TLS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code, createDirectoryClient, RpcError } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { scimClient, userSchemaUrn, randomUserName } from "./support/scim-client.js";
import { makeTestCertificates, type TestCertificates } from "./support/test-certificates.js";

const probeMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../services/directory/dist/operations/probe-main.js");

for (const store of await storeKindsUnderTest())
  describe(`the directory behind mutual TLS on ${store}`, () => {
    let folder = "";
    let certificates: TestCertificates;
    let product: Product;
    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), "scimgw-tls-"));
      certificates = makeTestCertificates(folder);
      product = await Product.start({
        store,
        directoryEnv: {
          DIRECTORY_TLS_CERT_FILE: certificates.serverCert,
          DIRECTORY_TLS_KEY_FILE: certificates.serverKey,
          DIRECTORY_TLS_CLIENT_CA_FILE: certificates.ca,
        },
        gatewayEnv: {
          DIRECTORY_TLS_CA_FILE: certificates.ca,
          DIRECTORY_CLIENT_CERT_FILE: certificates.clientCert,
          DIRECTORY_CLIENT_KEY_FILE: certificates.clientKey,
        },
      });
    });
    after(async () => {
      await product?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    test("SCIM works through a gateway that talks mutual TLS to the directory", async () => {
      const scim = scimClient(product.baseUrl, product.apiKey);
      const userName = randomUserName("tls");
      assert.equal((await scim.post("/Users", { schemas: [userSchemaUrn], userName })).status, 201);
      assert.equal((await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults, 1);
    });

    test("internal clients: refused without a client certificate, served with one", async () => {
      const serviceCredential = await product.issueServiceCredential("tls reader", "read-only");
      const tenantId = await product.tenantIdOf("default");
      const address = product.directoryAddresses[0]!;
      const withoutCertificate = createDirectoryClient({
        address,
        serviceCredential,
        tls: { caFile: certificates.ca },
        defaultTimeoutMs: 5000,
      });
      const plaintext = createDirectoryClient({ address, serviceCredential, defaultTimeoutMs: 5000 });
      const mutual = createDirectoryClient({
        address,
        serviceCredential,
        tls: { caFile: certificates.ca, certFile: certificates.clientCert, keyFile: certificates.clientKey },
      });
      try {
        for (const refused of [withoutCertificate, plaintext]) {
          await assert.rejects(
            refused.users.listUsers({ tenantId, startIndex: 1n, count: 1 }),
            (error: unknown) => error instanceof RpcError && error.code === Code.UNAVAILABLE,
          );
        }
        assert.ok((await mutual.users.listUsers({ tenantId, startIndex: 1n, count: 1 })).totalResults >= 1n);
      } finally {
        for (const client of [withoutCertificate, plaintext, mutual]) client.close();
      }
    });

    test("directory:probe reaches health and reflection over TLS with the client settings", async () => {
      const env = {
        PATH: process.env.PATH,
        DIRECTORY_TLS_CA_FILE: certificates.ca,
        DIRECTORY_CLIENT_CERT_FILE: certificates.clientCert,
        DIRECTORY_CLIENT_KEY_FILE: certificates.clientKey,
      };
      const { stdout } = await promisify(execFile)(process.execPath, [probeMain, product.directoryAddresses[0]!], { env });
      assert.match(stdout, /scimgw\.directory\.v1\.UserService\s+SERVING/);
    });
  });
