// Over a raw socket, so the test controls how much of a body is sent: a refused upload that has
// not arrived closes its connection (the gateway does not read the rest), while a refused request
// whose small body arrived keeps its connection alive.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Server } from "node:http";
import type { DirectoryClient } from "@scimgw/directory-client";
import { testGatewayOptions } from "../test-support/test-gateway-options.js";
import { createGateway, scimRoot } from "../create-gateway.js";

const directory = {
  apiKeys: { verifyApiKey: async () => ({ tenantId: "A", keyId: "k" }) },
} as unknown as DirectoryClient;

const server: Server = createGateway(testGatewayOptions(directory)).listen(0, "127.0.0.1");
after(() => server.close());
/** The gateway's side of each connection, to see how much it read. */
const accepted: Socket[] = [];
server.on("connection", (socket: Socket) => accepted.push(socket));

/** Sends `head` and `body`, then reads until the gateway closes the socket or `waitMs` passes. */
async function exchange(head: string, body: Buffer, waitMs = 2000): Promise<{ response: string; closedByServer: boolean }> {
  await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once("listening", resolve)));
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  let response = "";
  socket.on("data", (chunk: Buffer) => {
    response += chunk.toString("latin1");
  });
  let closedByServer = false;
  const closed = new Promise<void>((resolve) => {
    socket.once("close", () => {
      closedByServer = true;
      resolve();
    });
  });
  // A reset (the gateway hanging up on unread data) is a close too.
  socket.on("error", () => {});
  socket.write(head);
  socket.write(body);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, waitMs))]);
  socket.destroy();
  return { response, closedByServer };
}

const post = (contentLength: number, contentType = "application/scim+json") =>
  [
    `POST ${scimRoot}/Users HTTP/1.1`,
    "Host: localhost",
    "Authorization: Bearer key",
    `Content-Type: ${contentType}`,
    `Content-Length: ${contentLength}`,
    "",
    "",
  ].join("\r\n");

test("a body over the limit is refused from its Content-Length and the connection closes without reading it", async () => {
  // 5 MB announced, 64 KiB sent: the answer comes anyway, and the gateway hangs up without waiting for the rest.
  const { response, closedByServer } = await exchange(post(5 * 1024 * 1024), Buffer.alloc(64 * 1024, "x"));
  assert.match(response, /^HTTP\/1\.1 413 /);
  assert.match(response, /\r\nConnection: close\r\n/i);
  assert.equal(closedByServer, true);
});

test("a client that sends all of a refused 5 MB upload gets its answer, and the gateway reads little of the upload", async () => {
  const { response, closedByServer } = await exchange(post(5 * 1024 * 1024), Buffer.alloc(5 * 1024 * 1024, "x"));
  assert.match(response, /^HTTP\/1\.1 413 /);
  assert.match(response, /\r\nConnection: close\r\n/i);
  assert.equal(closedByServer, true);
  const bytesRead = accepted.at(-1)?.bytesRead ?? Number.NaN;
  assert.ok(bytesRead < 1024 * 1024, `the gateway read ${bytesRead} bytes`);
});

test("a refused request whose small body arrived keeps its connection alive", async () => {
  const body = Buffer.from("<user/>");
  const { response, closedByServer } = await exchange(post(body.length, "application/xml"), body, 300);
  assert.match(response, /^HTTP\/1\.1 415 /);
  assert.match(response, /\r\nConnection: keep-alive\r\n/i);
  assert.equal(closedByServer, false);
});

test("a request without a body keeps its connection alive whatever the answer", async () => {
  const head = [`GET ${scimRoot}/Users HTTP/1.1`, "Host: localhost", "", ""].join("\r\n");
  const { response, closedByServer } = await exchange(head, Buffer.alloc(0), 300);
  assert.match(response, /^HTTP\/1\.1 401 /);
  assert.match(response, /\r\nConnection: keep-alive\r\n/i);
  assert.equal(closedByServer, false);
});
