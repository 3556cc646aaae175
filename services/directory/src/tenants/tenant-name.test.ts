import { test } from "node:test";
import assert from "node:assert/strict";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { tenantNameMaxLength, validTenantName } from "./tenant-name.js";

test("a tenant name is kept as typed, trimmed of surrounding whitespace", () => {
  for (const [typed, kept] of [
    ["acme", "acme"],
    ["  Acme Corp\t", "Acme Corp"],
    ["Ünïcode GmbH", "Ünïcode GmbH"],
    ["日本の会社", "日本の会社"],
    ["👩‍💻 team", "👩‍💻 team"], // the zero-width joiner of an emoji sequence is no control character
    ["a".repeat(tenantNameMaxLength), "a".repeat(tenantNameMaxLength)],
    ["😀".repeat(tenantNameMaxLength), "😀".repeat(tenantNameMaxLength)], // characters, not UTF-16 units
    ["123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-42661417400"], // one digit short of an id
  ])
    assert.equal(validTenantName(typed!), kept);
});

test("an empty, overlong, control-character or id-shaped name is refused as an invalid argument that says why", () => {
  for (const [name, why] of [
    ["", /must not be empty/],
    [" \t\n", /must not be empty/],
    ["a".repeat(tenantNameMaxLength + 1), /at most 200 characters, not 201/],
    ["bad\u001b[31mname", /control characters/],
    ["tab\tinside", /control characters/],
    ["del\u007f", /control characters/],
    ["csi\u009b", /control characters/],
    ["evil\u202etxt.exe", /control characters/],
    ["123e4567-e89b-12d3-a456-426614174000", /must not look like a tenant id/],
    [" 123E4567-E89B-12D3-A456-426614174000 ", /must not look like a tenant id/],
  ] as const)
    assert.throws(
      () => validTenantName(name),
      (error) =>
        error instanceof RpcError &&
        error.code === Code.INVALID_ARGUMENT &&
        error.reason === ErrorReason.INVALID_VALUE &&
        why.test(error.message),
      name,
    );
});
