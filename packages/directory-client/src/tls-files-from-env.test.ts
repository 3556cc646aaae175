import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "@scimgw/config";
import { tlsFilesFromEnv } from "./tls-files-from-env.js";

test("no TLS settings is a plaintext channel", () => {
  assert.equal(tlsFilesFromEnv({}), undefined);
  assert.equal(tlsFilesFromEnv({ DIRECTORY_TLS_CA_FILE: "" }), undefined);
});

test("the CA alone is TLS; with a certificate and key it is mutual TLS", () => {
  assert.deepEqual(tlsFilesFromEnv({ DIRECTORY_TLS_CA_FILE: "ca.pem" }), { caFile: "ca.pem" });
  assert.deepEqual(
    tlsFilesFromEnv({ DIRECTORY_TLS_CA_FILE: "ca.pem", DIRECTORY_CLIENT_CERT_FILE: "c.pem", DIRECTORY_CLIENT_KEY_FILE: "c.key" }),
    {
      caFile: "ca.pem",
      certFile: "c.pem",
      keyFile: "c.key",
    },
  );
});

test("the directory's own certificate settings are not the client's", () => {
  assert.equal(tlsFilesFromEnv({ DIRECTORY_TLS_CERT_FILE: "server.pem", DIRECTORY_TLS_KEY_FILE: "server.key" }), undefined);
});

test("a client certificate without its key is named", () => {
  assert.throws(
    () => tlsFilesFromEnv({ DIRECTORY_CLIENT_CERT_FILE: "c.pem" }),
    (error: unknown) => error instanceof ConfigError && /DIRECTORY_CLIENT_KEY_FILE/.test(error.message),
  );
});
