import { test } from "node:test";
import assert from "node:assert/strict";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { ApiKeyService, UserService } from "@scimgw/proto";
import { addService, Code, createClient, createTransport, RpcError } from "./index.js";

async function startServer(register: (server: Server) => void): Promise<{ address: string; stop: () => Promise<void> }> {
  const server = new Server();
  register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

const notCalled = async (): Promise<never> => {
  throw new Error("not part of this test");
};

test("a unary call round-trips messages through the generated schemas", async () => {
  const server = await startServer((s) =>
    addService(s, ApiKeyService, {
      verifyApiKey: async (request) => ({ tenantId: `tenant-of-${request.keySha256}`, keyId: "k1" }),
    }),
  );
  const transport = createTransport(server.address);
  try {
    const response = await createClient(ApiKeyService, transport).verifyApiKey({ keySha256: "abc" });
    assert.equal(response.tenantId, "tenant-of-abc");
    assert.equal(response.keyId, "k1");
  } finally {
    transport.close();
    await server.stop();
  }
});

test("an RpcError reaches the client with its code, message, reason and metadata", async () => {
  const server = await startServer((s) =>
    addService(s, ApiKeyService, {
      verifyApiKey: async () => {
        throw new RpcError(Code.UNAUTHENTICATED, "unknown key", { reason: "UNKNOWN_API_KEY", metadata: { hint: "rotate" } });
      },
    }),
  );
  const transport = createTransport(server.address);
  try {
    await assert.rejects(createClient(ApiKeyService, transport).verifyApiKey({ keySha256: "x" }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, Code.UNAUTHENTICATED);
      assert.equal(error.message, "unknown key");
      assert.equal(error.reason, "UNKNOWN_API_KEY");
      assert.deepEqual({ ...error.metadata }, { hint: "rotate" });
      return true;
    });
  } finally {
    transport.close();
    await server.stop();
  }
});

test("an unexpected failure becomes INTERNAL without leaking its message, and the hook sees the cause", async () => {
  const seen: unknown[] = [];
  const server = await startServer((s) =>
    addService(
      s,
      ApiKeyService,
      {
        verifyApiKey: async () => {
          throw new Error("database password is hunter2");
        },
      },
      { onError: (error) => seen.push(error.cause) },
    ),
  );
  const transport = createTransport(server.address);
  try {
    await assert.rejects(createClient(ApiKeyService, transport).verifyApiKey({ keySha256: "x" }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, Code.INTERNAL);
      assert.equal(error.message, "internal error");
      assert.equal(error.reason, undefined);
      return true;
    });
    assert.match(String(seen[0]), /hunter2/);
  } finally {
    transport.close();
    await server.stop();
  }
});

test("a call past its deadline fails with DEADLINE_EXCEEDED and the handler's signal aborts", async () => {
  let aborted!: Promise<void>;
  const server = await startServer((s) =>
    addService(s, UserService, {
      createUser: notCalled,
      listUsers: notCalled,
      replaceUser: notCalled,
      patchUser: notCalled,
      deleteUser: notCalled,
      getUser: (_request, context) => {
        aborted = new Promise((resolve) => context.signal.addEventListener("abort", () => resolve()));
        return new Promise(() => {});
      },
    }),
  );
  const transport = createTransport(server.address);
  try {
    await assert.rejects(createClient(UserService, transport).getUser({ tenantId: "t", id: "u" }, { timeoutMs: 100 }), (error: unknown) => {
      assert.ok(error instanceof RpcError);
      assert.equal(error.code, Code.DEADLINE_EXCEEDED);
      return true;
    });
    await aborted;
  } finally {
    transport.close();
    await server.stop();
  }
});

test("aborting the caller's signal cancels the call", async () => {
  const server = await startServer((s) =>
    addService(s, ApiKeyService, { verifyApiKey: () => new Promise(() => {}) }),
  );
  const transport = createTransport(server.address);
  try {
    const controller = new AbortController();
    const pending = createClient(ApiKeyService, transport).verifyApiKey({ keySha256: "x" }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.code === Code.CANCELLED);
  } finally {
    transport.close();
    await server.stop();
  }
});
