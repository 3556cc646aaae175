import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";

export interface Explained {
  status: number;
  /** Safe to show: the directory's message for refusals it words for callers, else a generic one. */
  message: string;
  /** Worth an error line in the log (the cause is never shown). */
  unexpected: boolean;
}

/**
 * The one place that turns a directory failure into what a page shows. A refusal of the
 * operator's own input (a taken name, a bad rate limit, an invalid filter) carries a message the
 * directory words for callers, so it is shown; anything else is generic, and logged.
 */
export function explainRpcError(error: unknown): Explained {
  if (!(error instanceof RpcError))
    return { status: 500, message: "Something went wrong in the console; it has been logged.", unexpected: true };
  switch (error.code) {
    // The operator's input broke a rule the message states (tenant names, rate limits, filters).
    case Code.INVALID_ARGUMENT:
    case Code.OUT_OF_RANGE:
      return { status: 400, message: error.message, unexpected: false };
    case Code.ALREADY_EXISTS:
      return { status: 409, message: error.message, unexpected: false };
    case Code.FAILED_PRECONDITION:
    case Code.ABORTED:
      return { status: 409, message: error.message, unexpected: false };
    case Code.NOT_FOUND:
      return { status: 404, message: "Not found: it may have been deleted.", unexpected: false };
    case Code.RESOURCE_EXHAUSTED:
      return { status: 429, message: "The directory is busy; try again in a few seconds.", unexpected: false };
    case Code.UNAVAILABLE:
    case Code.DEADLINE_EXCEEDED:
      return { status: 503, message: "The directory is not answering; try again in a moment.", unexpected: true };
    case Code.UNAUTHENTICATED:
    case Code.PERMISSION_DENIED:
      // The console's own credential was refused: an operator cannot fix that from a page.
      if (error.reason !== ErrorReason.OPERATOR_SESSION_ENDED)
        return { status: 503, message: "The directory refuses the console's credential; see the console's log.", unexpected: true };
      return { status: 401, message: "Your session has ended; sign in again.", unexpected: false };
    default:
      return { status: 500, message: "Something went wrong; it has been logged.", unexpected: true };
  }
}
