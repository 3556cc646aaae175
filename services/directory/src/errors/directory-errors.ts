import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import { ScimError } from "@scimgw/scim";
import { MalformedMessageError, reasonOfScimType } from "@scimgw/scim-proto";

// The directory's failures, each a gRPC status plus a google.rpc.ErrorInfo reason from the
// contract's ErrorReason that names the rule broken. The gateway turns (code, reason) back into a
// SCIM status and scimType in one table.

export function notFound(what: string): RpcError {
  return new RpcError(Code.NOT_FOUND, `${what} not found`, { reason: ErrorReason.NOT_FOUND });
}

export function uniquenessViolation(detail: string, attribute: string): RpcError {
  return new RpcError(Code.ALREADY_EXISTS, detail, { reason: ErrorReason.UNIQUENESS, metadata: { attribute } });
}

export function versionMismatch(expected: bigint, actual: bigint): RpcError {
  return new RpcError(Code.FAILED_PRECONDITION, `the resource is at version ${actual}, not ${expected}`, {
    reason: ErrorReason.VERSION_MISMATCH,
    metadata: { expected: String(expected), actual: String(actual) },
  });
}

/**
 * Why a delete removed no row although it had read one: `current` is the row read again in the
 * same transaction. On PostgreSQL a concurrent delete or update can commit while this one waits for
 * the row's lock: a row gone is NOT_FOUND (SCIM's 404 for a resource deleted twice), a row whose
 * version moved past the one asked for is VERSION_MISMATCH with the version it has now.
 */
export function nothingDeleted(
  what: string,
  expectedVersion: bigint | undefined,
  current: { version: number | string } | undefined,
): RpcError {
  return current === undefined ? notFound(what) : versionMismatch(expectedVersion ?? 0n, BigInt(current.version));
}

/**
 * A write validated by a schema revision of the tenant that is no longer current (SchemaService):
 * it was rolled back, as it may hold or miss values the current schema treats otherwise. The caller
 * reads the tenant's extensions again and retries.
 */
export function schemaChanged(expected: bigint, actual: bigint): RpcError {
  return new RpcError(
    Code.FAILED_PRECONDITION,
    `the tenant's schemas are at revision ${actual}, not ${expected}; read them again (ListSchemaExtensions) and retry`,
    { reason: ErrorReason.SCHEMA_CHANGED, metadata: { expected: String(expected), actual: String(actual) } },
  );
}

/** Whether an error is schemaChanged's, with the revision it found. */
export function schemaChangedTo(error: unknown): bigint | undefined {
  if (!(error instanceof RpcError) || error.reason !== ErrorReason.SCHEMA_CHANGED) return undefined;
  const actual = error.metadata["actual"];
  return actual === undefined ? undefined : BigInt(actual);
}

/**
 * A lookup by externalId that found several resources: externalId is the IdP's identifier and not
 * unique in the directory (RFC 7643 §3.1), so the caller must choose, e.g. with a batch get.
 */
export function ambiguousExternalId(resources: "users" | "groups", externalId: string): RpcError {
  return new RpcError(
    Code.FAILED_PRECONDITION,
    `several ${resources} have externalId "${externalId}"; list them with a batch get or a filter`,
    {
      reason: ErrorReason.AMBIGUOUS_EXTERNAL_ID,
      metadata: { externalId },
    },
  );
}

export function invalidArgument(detail: string): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, detail, { reason: ErrorReason.INVALID_ARGUMENT });
}

/** A value an admin gave (a tenant name, a key label, a rate limit) that its rule refuses; `detail` states the rule. */
export function invalidValue(detail: string): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, detail, { reason: ErrorReason.INVALID_VALUE });
}

/** An extension schema that breaks RFC 7643 §7 or our rules for extensions (checkExtensionSchema): every problem, named. */
export function invalidSchema(problems: readonly string[]): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, `the extension schema is invalid: ${problems.join("; ")}`, {
    reason: ErrorReason.INVALID_SCHEMA,
  });
}

/**
 * A change to a registered extension that stored data (or the rules of compatibility) refuse:
 * every refusal, each naming its attribute and why; metadata `attributes` lists them.
 */
export function incompatibleSchemaChange(urn: string, refusals: readonly { attribute: string; message: string }[]): RpcError {
  return new RpcError(Code.FAILED_PRECONDITION, `the change to "${urn}" is refused: ${refusals.map((r) => r.message).join("; ")}`, {
    reason: ErrorReason.INCOMPATIBLE_SCHEMA_CHANGE,
    metadata: { attributes: [...new Set(refusals.map((r) => r.attribute))].join(",") },
  });
}

/**
 * A SCIM rule broken inside the directory (while applying a PATCH or validating a user) is an
 * INVALID_ARGUMENT whose reason is the scimType, so the client still gets the RFC's error.
 */
export function fromScimError(error: ScimError): RpcError {
  if (error.status === 409) return uniquenessViolation(error.detail, "userName");
  const reason = error.scimType === undefined ? ErrorReason.INVALID_ARGUMENT : reasonOfScimType(error.scimType);
  return new RpcError(Code.INVALID_ARGUMENT, error.detail, { reason, cause: error });
}

/** Lets handlers throw ScimErrors from the shared SCIM core, translation errors and RpcErrors alike. */
export function toDirectoryError(thrown: unknown): unknown {
  if (thrown instanceof ScimError) return fromScimError(thrown);
  if (thrown instanceof MalformedMessageError)
    return new RpcError(Code.INVALID_ARGUMENT, thrown.message, { reason: ErrorReason.INVALID_ARGUMENT, cause: thrown });
  return thrown;
}
