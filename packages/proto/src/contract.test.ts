import { test } from "node:test";
import assert from "node:assert/strict";
import { create, fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { ApiKeyService, UserSchema, UserService } from "./index.js";

test("the services carry their fully qualified names and every method is unary", () => {
  assert.equal(UserService.typeName, "scimgw.directory.v1.UserService");
  assert.deepEqual(
    UserService.methods.map((m) => m.name),
    ["CreateUser", "GetUser", "BatchGetUsers", "ListUsers", "ListUserGroups", "ReplaceUser", "PatchUser", "DeleteUser"],
  );
  assert.equal(ApiKeyService.typeName, "scimgw.directory.v1.ApiKeyService");
  for (const method of [...UserService.methods, ...ApiKeyService.methods]) assert.equal(method.methodKind, "unary", method.name);
});

test("a User survives binary and JSON encodings, extension Structs included", () => {
  const user = create(UserSchema, {
    userName: "bjensen",
    active: false,
    emails: [{ value: "b@example.com", type: "work", primary: true }],
    enterprise: { manager: { value: "m1" } },
    extensions: { "urn:acme:2.0:User": { badge: "A-12", nested: { list: [1, "two", null] } } },
  });
  assert.deepEqual(fromBinary(UserSchema, toBinary(UserSchema, user)), user);
  assert.deepEqual(fromJson(UserSchema, toJson(UserSchema, user)), user);
});
