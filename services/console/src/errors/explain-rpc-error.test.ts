import assert from "node:assert/strict";
import { test } from "node:test";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { explainRpcError } from "./explain-rpc-error.js";

test("the operator's own mistakes are shown; the directory's trouble is generic", () => {
  const rows: Array<[unknown, number, string | RegExp, boolean]> = [
    [
      new RpcError(Code.ALREADY_EXISTS, 'tenant name "acme" is taken', { reason: ErrorReason.UNIQUENESS }),
      409,
      'tenant name "acme" is taken',
      false,
    ],
    [new RpcError(Code.INVALID_ARGUMENT, "burst must be at least per_second"), 400, "burst must be at least per_second", false],
    [new RpcError(Code.NOT_FOUND, "no such key abc in table api_keys"), 404, /^Not found/, false],
    [new RpcError(Code.UNAVAILABLE, "connect ECONNREFUSED 127.0.0.1:50051"), 503, /not answering/, true],
    [new RpcError(Code.UNAUTHENTICATED, "unknown credential", { reason: ErrorReason.UNKNOWN_SERVICE_CREDENTIAL }), 503, /credential/, true],
    [new RpcError(Code.INTERNAL, "SQLITE_CORRUPT at row 5"), 500, /logged/, true],
    [new Error("TypeError: x is undefined"), 500, /logged/, true],
  ];
  for (const [error, status, message, unexpected] of rows) {
    const explained = explainRpcError(error);
    assert.equal(explained.status, status);
    if (typeof message === "string") assert.equal(explained.message, message);
    else assert.match(explained.message, message);
    assert.equal(explained.unexpected, unexpected);
  }
});
