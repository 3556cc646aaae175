import { test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ExtendedResourceType, SchemaAttributeType, SchemaExtensionSchema } from "@scimgw/proto";
import { groupResourceType, userResourceType } from "@scimgw/scim";
import { extendedResourceTypes } from "./extended-resource-types.js";

const extension = (id: string, resourceType: ExtendedResourceType, required = false) =>
  create(SchemaExtensionSchema, { id, name: "X", resourceType, required, attributes: [{ name: "a", type: SchemaAttributeType.STRING }] });

test("each extension joins the type it extends, after the built-in extensions, with its `required`", () => {
  const userUrn = "urn:example:acme:User";
  const groupUrn = "urn:example:acme:Group";
  const types = extendedResourceTypes([
    extension(userUrn, ExtendedResourceType.USER, true),
    extension(groupUrn, ExtendedResourceType.GROUP),
  ]);
  assert.deepEqual(
    types.user.extensions.map((e) => [e.schema.id, e.required]),
    [...userResourceType.extensions.map((e) => [e.schema.id, e.required]), [userUrn, true]],
  );
  assert.deepEqual(
    types.group.extensions.map((e) => [e.schema.id, e.required]),
    [[groupUrn, false]],
  );
  assert.deepEqual(types.user.schema, userResourceType.schema);
});

test("no extensions: the built-in types themselves", () => {
  const types = extendedResourceTypes([]);
  assert.equal(types.user, userResourceType);
  assert.equal(types.group, groupResourceType);
});
