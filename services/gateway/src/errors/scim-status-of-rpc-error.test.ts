import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, ErrorReason, RpcError } from "@scimgw/directory-client";
import { scimStatusOfRpcError, type ScimStatus } from "./scim-status-of-rpc-error.js";

/** One fixture per row of the table: (code, reason) -> what the SCIM client sees. */
const rows: Array<[Code, ErrorReason | undefined, ScimStatus]> = [
  [Code.INVALID_ARGUMENT, ErrorReason.INVALID_FILTER, { status: 400, scimType: "invalidFilter", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, ErrorReason.NO_TARGET, { status: 400, scimType: "noTarget", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, ErrorReason.MUTABILITY, { status: 400, scimType: "mutability", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, ErrorReason.INVALID_PATH, { status: 400, scimType: "invalidPath", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, ErrorReason.INVALID_SYNTAX, { status: 400, scimType: "invalidSyntax", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, ErrorReason.INVALID_VALUE, { status: 400, scimType: "invalidValue", exposeDetail: true }],
  [Code.INVALID_ARGUMENT, undefined, { status: 400, scimType: "invalidValue", exposeDetail: true }],
  [Code.OUT_OF_RANGE, undefined, { status: 400, scimType: "invalidValue", exposeDetail: true }],
  [Code.NOT_FOUND, ErrorReason.NOT_FOUND, { status: 404, exposeDetail: true }],
  [Code.ALREADY_EXISTS, ErrorReason.UNIQUENESS, { status: 409, scimType: "uniqueness", exposeDetail: true }],
  [Code.FAILED_PRECONDITION, ErrorReason.VERSION_MISMATCH, { status: 412, exposeDetail: true }],
  [Code.FAILED_PRECONDITION, ErrorReason.SCHEMA_CHANGED, { status: 503, exposeDetail: true, retryAfter: 1 }],
  [Code.FAILED_PRECONDITION, undefined, { status: 400, scimType: "invalidValue", exposeDetail: true }],
  [Code.ABORTED, undefined, { status: 409, exposeDetail: true }],
  [Code.UNAUTHENTICATED, ErrorReason.UNKNOWN_API_KEY, { status: 401, exposeDetail: true }],
  [Code.UNAUTHENTICATED, undefined, { status: 500, exposeDetail: false }],
  [Code.PERMISSION_DENIED, undefined, { status: 500, exposeDetail: false }],
  [Code.RESOURCE_EXHAUSTED, undefined, { status: 500, exposeDetail: false }],
  [Code.RESOURCE_EXHAUSTED, ErrorReason.TENANT_BUSY, { status: 429, exposeDetail: true, retryAfter: 1 }],
  [Code.RESOURCE_EXHAUSTED, ErrorReason.RATE_LIMITED, { status: 429, exposeDetail: true, retryAfter: 1 }],
  [Code.UNAVAILABLE, undefined, { status: 503, exposeDetail: false, retryAfter: 5 }],
  [Code.DEADLINE_EXCEEDED, undefined, { status: 504, exposeDetail: false }],
  [Code.CANCELLED, undefined, { status: 499, exposeDetail: false }],
  [Code.UNIMPLEMENTED, undefined, { status: 501, exposeDetail: true }],
  [Code.INTERNAL, undefined, { status: 500, exposeDetail: false }],
  [Code.UNKNOWN, undefined, { status: 500, exposeDetail: false }],
  [Code.DATA_LOSS, undefined, { status: 500, exposeDetail: false }],
];

for (const [code, reason, expected] of rows) {
  test(`${Code[code]}${reason ? ` + ${ErrorReason[reason]}` : ""} -> ${expected.status}${expected.scimType ? ` ${expected.scimType}` : ""}`, () => {
    assert.deepEqual(scimStatusOfRpcError(new RpcError(code, "m", reason ? { reason } : {})), expected);
  });
}

/** retry_after_seconds metadata -> Retry-After seconds: whole, at least 1, at most an hour. */
const retryAfters: Array<[string | undefined, number]> = [
  ["7", 7],
  ["2.5", 3],
  ["0", 1],
  ["soon", 1],
  ["86400", 3600],
  [undefined, 1],
];
for (const [seconds, expected] of retryAfters) {
  test(`RESOURCE_EXHAUSTED + RATE_LIMITED with retry_after_seconds ${seconds} -> Retry-After ${expected}`, () => {
    const metadata = seconds === undefined ? {} : { retry_after_seconds: seconds };
    const error = new RpcError(Code.RESOURCE_EXHAUSTED, "m", { reason: ErrorReason.RATE_LIMITED, metadata });
    assert.equal(scimStatusOfRpcError(error).retryAfter, expected);
  });
}

test("every gRPC status code has a row", () => {
  const covered = new Set(rows.map(([code]) => code));
  for (const code of Object.values(Code).filter((value): value is Code => typeof value === "number" && value !== Code.OK)) {
    assert.ok(covered.has(code), `no fixture for ${Code[code]}`);
  }
});
