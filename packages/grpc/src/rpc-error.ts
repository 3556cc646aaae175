import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Metadata, status as Code, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { ErrorInfoSchema, ErrorReason, StatusSchema } from "@scimgw/proto";

/** The trailer in which gRPC carries a serialised google.rpc.Status (the "rich error model"). */
const statusDetailsKey = "grpc-status-details-bin";

/** The domain of every ErrorInfo this project emits. */
export const errorDomain = "directory.scimgw";

/** ErrorInfo wants UPPER_SNAKE_CASE: the enum value's name without its prefix, `UNIQUENESS`. */
function reasonName(reason: ErrorReason): string {
  return ErrorReason[reason];
}

/** The reason an ErrorInfo names; a name from a newer contract is UNSPECIFIED, so the code decides. */
function reasonNamed(name: string): ErrorReason {
  const reason = (ErrorReason as unknown as Record<string, ErrorReason | undefined>)[name];
  return typeof reason === "number" ? reason : ErrorReason.UNSPECIFIED;
}

export interface RpcErrorInit {
  /** Which rule was broken, carried as google.rpc.ErrorInfo.reason (see error_reason.proto). */
  reason?: ErrorReason;
  /** Structured facts carried as google.rpc.ErrorInfo.metadata. */
  metadata?: Record<string, string>;
  /** The original failure, kept for logs, never sent. */
  cause?: unknown;
}

/**
 * A gRPC failure with a status code, a message meant for the caller and an optional reason.
 * Servers throw it; clients receive it. Anything else a server throws becomes INTERNAL with a
 * generic message (see toRpcError), so internals never leak to callers.
 */
export class RpcError extends Error {
  readonly code: Code;
  /** UNSPECIFIED when the failure names no reason, or one this contract does not know. */
  readonly reason: ErrorReason;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(code: Code, message: string, init: RpcErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "RpcError";
    this.code = code;
    this.reason = init.reason ?? ErrorReason.UNSPECIFIED;
    this.metadata = init.metadata ?? {};
  }

  /** The error as grpc-js sends it: code, details and the google.rpc.Status trailer. */
  toStatus(): Partial<StatusObject> {
    const metadata = new Metadata();
    const details =
      this.reason === ErrorReason.UNSPECIFIED
        ? []
        : [
            anyPack(
              ErrorInfoSchema,
              create(ErrorInfoSchema, { reason: reasonName(this.reason), domain: errorDomain, metadata: { ...this.metadata } }),
            ),
          ];
    const richStatus = create(StatusSchema, { code: this.code, message: this.message, details });
    metadata.set(statusDetailsKey, Buffer.from(toBinary(StatusSchema, richStatus)));
    return { code: this.code, details: this.message, metadata };
  }

  /** Rebuilds an RpcError from what a grpc-js client call failed with. */
  static fromServiceError(error: ServiceError): RpcError {
    const [raw] = error.metadata?.get(statusDetailsKey) ?? [];
    if (raw instanceof Buffer) {
      try {
        const richStatus = fromBinary(StatusSchema, raw);
        for (const detail of richStatus.details) {
          const info = anyUnpack(detail, ErrorInfoSchema);
          if (info !== undefined) {
            return new RpcError(error.code, richStatus.message, {
              reason: reasonNamed(info.reason),
              metadata: info.metadata,
              cause: error,
            });
          }
        }
      } catch {
        // A peer that sent a malformed trailer still gets its code and message through.
      }
    }
    return new RpcError(error.code, error.details, { cause: error });
  }
}

/**
 * Normalises anything a server implementation throws: RpcErrors pass through; everything else
 * becomes INTERNAL with a generic message while the original stays attached as `cause`.
 */
export function toRpcError(thrown: unknown): RpcError {
  if (thrown instanceof RpcError) return thrown;
  return new RpcError(Code.INTERNAL, "internal error", { cause: thrown });
}
