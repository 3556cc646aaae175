import type { JsonObject } from "@bufbuild/protobuf";
import { findAttribute, isJsonObject, type ResourceTypeDefinition } from "@scimgw/scim";
import { tenantOfRequest } from "../tenants/tenant-of-request.js";
import type { TenantResourceTypes } from "../tenants/tenant-resource-types.js";
import type { TenantSchemaCache } from "./tenant-schema-cache.js";

/** A User or Group message as far as this rule reads it. */
interface Extended {
  $typeName: string;
  extensions: { [urn: string]: JsonObject };
}

const resourceTypeOf: Partial<Record<string, keyof Pick<TenantResourceTypes, "user" | "group">>> = {
  "scimgw.directory.v1.User": "user",
  "scimgw.directory.v1.Group": "group",
};

/**
 * Removes, in place, the values of extension attributes declared `returned: never` (every writeOnly
 * one is): RFC 7643 §7 says they are never returned, and that holds for internal callers as much as
 * for identity providers. The store keeps them (PATCH and immutable checks read them); only answers
 * lose them.
 */
export function hideNeverReturned(resource: Extended, resourceType: ResourceTypeDefinition): void {
  for (const { schema } of resourceType.extensions) {
    const values = resource.extensions[schema.id];
    if (values === undefined) continue;
    for (const name of Object.keys(values)) {
      const definition = findAttribute(schema.attributes, name);
      if (definition?.returned === "never") {
        delete values[name];
        continue;
      }
      if (definition?.subAttributes === undefined) continue;
      for (const element of [values[name]].flat()) {
        if (!isJsonObject(element)) continue;
        for (const sub of Object.keys(element)) {
          if (findAttribute(definition.subAttributes, sub)?.returned === "never") delete (element as JsonObject)[sub];
        }
      }
    }
    if (Object.keys(values).length === 0) delete resource.extensions[schema.id];
  }
}

function resourcesIn(response: unknown): { resource: Extended; kind: "user" | "group" }[] {
  if (typeof response !== "object" || response === null) return [];
  const found: { resource: Extended; kind: "user" | "group" }[] = [];
  for (const value of Object.values(response)) {
    for (const element of [value].flat()) {
      const kind = typeof element === "object" && element !== null ? resourceTypeOf[(element as Extended).$typeName] : undefined;
      if (kind !== undefined) found.push({ resource: element as Extended, kind });
    }
  }
  return found;
}

/**
 * Every unary method of a service implementation, its answer's Users and Groups (fields `user`,
 * `users`, `group`, `groups`) passed through hideNeverReturned by their tenant's resource types.
 * One wrapper for every service that answers with resources, so none can forget it.
 */
export function hidingNeverReturned<T extends object>(schemas: TenantSchemaCache, implementation: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(implementation)) {
    wrapped[name] =
      typeof method === "function"
        ? async (request: unknown, ...rest: unknown[]) => {
            const response = await method.call(implementation, request, ...rest);
            const resources = resourcesIn(response);
            const tenantId = tenantOfRequest(request);
            if (resources.length === 0 || tenantId === undefined) return response;
            const types = await schemas.get(tenantId);
            if (types.extensions.length === 0) return response;
            for (const { resource, kind } of resources) hideNeverReturned(resource, types[kind]);
            return response;
          }
        : method;
  }
  return wrapped as T;
}
