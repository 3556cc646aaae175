import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Metadata, status as Code, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { ErrorInfoSchema, StatusSchema } from "@scimgw/proto";

/** The trailer in which gRPC carries a serialised google.rpc.Status (the "rich error model"). */
const statusDetailsKey = "grpc-status-details-bin";

/** The domain of every ErrorInfo this project emits. */
export const errorDomain = "directory.scimgw";

export interface RpcErrorInit {
  /** A stable UPPER_SNAKE_CASE reason carried as google.rpc.ErrorInfo.reason. */
  reason?: string;
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
  readonly reason: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;

  constructor(code: Code, message: string, init: RpcErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "RpcError";
    this.code = code;
    this.reason = init.reason;
    this.metadata = init.metadata ?? {};
  }

  /** The error as grpc-js sends it: code, details and the google.rpc.Status trailer. */
  toStatus(): Partial<StatusObject> {
    const metadata = new Metadata();
    const details = this.reason === undefined
      ? []
      : [anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: this.reason, domain: errorDomain, metadata: { ...this.metadata } }))];
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
            return new RpcError(error.code, richStatus.message, { reason: info.reason, metadata: info.metadata, cause: error });
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
