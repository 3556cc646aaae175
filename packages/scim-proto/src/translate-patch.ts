import { create, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { PatchOperationSchema, PatchOperationType, PatchPathSchema, type PatchOperation as ProtoPatchOperation } from "@scimgw/proto";
import type { PatchOperation, PatchOperationType as ScimPatchOperationType } from "@scimgw/scim";
import { filterFromProto, filterToProto, MalformedMessageError } from "./translate-filter.js";

const typeToProto: Record<ScimPatchOperationType, PatchOperationType> = {
  add: PatchOperationType.ADD,
  remove: PatchOperationType.REMOVE,
  replace: PatchOperationType.REPLACE,
};

const typeFromProto = new Map<PatchOperationType, ScimPatchOperationType>(
  Object.entries(typeToProto).map(([scim, proto]) => [proto, scim as ScimPatchOperationType]),
);

export function patchOperationsToProto(operations: readonly PatchOperation[]): ProtoPatchOperation[] {
  return operations.map((operation) =>
    create(PatchOperationSchema, {
      type: typeToProto[operation.op],
      path:
        operation.path === undefined
          ? undefined
          : create(PatchPathSchema, {
              schema: operation.path.schema ?? "",
              attribute: operation.path.attribute,
              valueFilter: operation.path.valueFilter === undefined ? undefined : filterToProto(operation.path.valueFilter),
              subAttribute: operation.path.subAttribute ?? "",
            }),
      value: operation.value === undefined ? undefined : fromJson(ValueSchema, operation.value as JsonValue),
    }),
  );
}

export function patchOperationsFromProto(operations: readonly ProtoPatchOperation[]): PatchOperation[] {
  return operations.map((operation) => {
    const op = typeFromProto.get(operation.type);
    if (op === undefined) throw new MalformedMessageError(`unknown PATCH operation type ${operation.type}`);
    const path = operation.path;
    if (path !== undefined && path.attribute === "") throw new MalformedMessageError("a PATCH path has no attribute");
    return {
      op,
      ...(path === undefined
        ? {}
        : {
            path: {
              ...(path.schema !== "" ? { schema: path.schema } : {}),
              attribute: path.attribute,
              ...(path.valueFilter !== undefined ? { valueFilter: filterFromProto(path.valueFilter) } : {}),
              ...(path.subAttribute !== "" ? { subAttribute: path.subAttribute } : {}),
            },
          }),
      ...(operation.value === undefined ? {} : { value: toJson(ValueSchema, operation.value) }),
    };
  });
}
