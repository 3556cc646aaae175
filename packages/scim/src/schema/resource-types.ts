import { enterpriseUserSchema, userSchema } from "./user-schema.js";
import { groupSchema } from "./group-schema.js";
import type { ResourceTypeDefinition } from "./schema-definition.js";

/** The User resource type (RFC 7643 §6), with the enterprise extension optional. */
export const userResourceType: ResourceTypeDefinition = {
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "User Account",
  schema: userSchema,
  extensions: [{ schema: enterpriseUserSchema, required: false }],
};

/** The Group resource type (RFC 7643 §6). */
export const groupResourceType: ResourceTypeDefinition = {
  id: "Group",
  name: "Group",
  endpoint: "/Groups",
  description: "Group",
  schema: groupSchema,
  extensions: [],
};
