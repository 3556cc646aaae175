export { acceptedRequestId, requestIdFor, requestIdHeader } from "./request-id.js";
export { currentRequestId, runWithRequestId } from "./request-context.js";
export { assignRequestId } from "./assign-request-id.js";
export type { RequestIdContext } from "./assign-request-id.js";
export { createLogger } from "./create-logger.js";
export type { LoggerOptions } from "./create-logger.js";
export { installTracing, startTracing } from "./start-tracing.js";
export type { Tracing } from "./start-tracing.js";
export { outgoingCallMetadata } from "./outgoing-call-metadata.js";
