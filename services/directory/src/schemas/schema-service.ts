import type { SchemaService } from "@scimgw/proto";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import { invalidArgument } from "../errors/directory-errors.js";
import type { SchemaStore } from "./schema-store.js";

function requireField(value: string, name: string): string {
  if (value === "") throw invalidArgument(`${name} is required`);
  return value;
}

/** SchemaService: each tenant's extension schemas, kept by the schema store. */
export function createSchemaService(store: SchemaStore): ServiceImplementationOf<typeof SchemaService> {
  return {
    async applySchemaExtension(request, context) {
      if (request.extension === undefined) throw invalidArgument("extension is required");
      return await store.apply(requireField(request.tenantId, "tenant_id"), request.extension, {
        validateOnly: request.validateOnly,
        signal: context.signal,
      });
    },

    async getSchemaExtension(request) {
      return { extension: await store.get(requireField(request.tenantId, "tenant_id"), requireField(request.id, "id")) };
    },

    async listSchemaExtensions(request) {
      return await store.list(requireField(request.tenantId, "tenant_id"));
    },
  };
}
