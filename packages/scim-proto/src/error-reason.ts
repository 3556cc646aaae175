import { ErrorReason } from "@scimgw/proto";
import type { ScimType } from "@scimgw/scim";

/**
 * The reason that carries a SCIM scimType across gRPC, and back: the one mapping between the
 * contract's ErrorReason and RFC 7644 §3.12's scimType. A SCIM rule broken inside the directory
 * travels as its reason, so the gateway answers with the RFC's scimType.
 */
export function reasonOfScimType(scimType: ScimType): ErrorReason {
  switch (scimType) {
    case "invalidFilter":
      return ErrorReason.INVALID_FILTER;
    case "tooMany":
      return ErrorReason.TOO_MANY;
    case "uniqueness":
      return ErrorReason.UNIQUENESS;
    case "mutability":
      return ErrorReason.MUTABILITY;
    case "invalidSyntax":
      return ErrorReason.INVALID_SYNTAX;
    case "invalidPath":
      return ErrorReason.INVALID_PATH;
    case "noTarget":
      return ErrorReason.NO_TARGET;
    case "invalidValue":
      return ErrorReason.INVALID_VALUE;
    case "invalidVers":
      return ErrorReason.INVALID_VERS;
    case "sensitive":
      return ErrorReason.SENSITIVE;
  }
}

/** The scimType a reason stands for; undefined for reasons that are not SCIM rules (NOT_FOUND, STORE_BUSY…). */
export function scimTypeOfReason(reason: ErrorReason): ScimType | undefined {
  switch (reason) {
    case ErrorReason.INVALID_FILTER:
      return "invalidFilter";
    case ErrorReason.TOO_MANY:
      return "tooMany";
    case ErrorReason.UNIQUENESS:
      return "uniqueness";
    case ErrorReason.MUTABILITY:
      return "mutability";
    case ErrorReason.INVALID_SYNTAX:
      return "invalidSyntax";
    case ErrorReason.INVALID_PATH:
      return "invalidPath";
    case ErrorReason.NO_TARGET:
      return "noTarget";
    case ErrorReason.INVALID_VALUE:
      return "invalidValue";
    case ErrorReason.INVALID_VERS:
      return "invalidVers";
    case ErrorReason.SENSITIVE:
      return "sensitive";
    default:
      return undefined;
  }
}
