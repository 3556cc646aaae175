import { trace } from "@opentelemetry/api";
import { pino, type DestinationStream, type Logger } from "pino";
import { currentRequestId } from "./request-context.js";

export interface LoggerOptions {
  /** The service, e.g. "gateway"; every line carries it as `name`. */
  name: string;
  level: string;
}

/**
 * Stamps a line with the request it is about and, while a trace is recorded, the trace and span,
 * so a log line leads to its trace. Without a tracing SDK there is no active span and this adds
 * nothing.
 */
function requestFields(): Record<string, string> {
  const requestId = currentRequestId();
  const span = trace.getActiveSpan()?.spanContext();
  return {
    ...(requestId === undefined ? {} : { requestId }),
    ...(span === undefined ? {} : { traceId: span.traceId, spanId: span.spanId }),
  };
}

/**
 * The services' logger: JSON lines with ISO-8601 times and level names (`"level":"warn"`), which
 * people and log stores read without pino's conventions, each line stamped with its request's id.
 * `destination` is for tests; the default is stdout.
 */
export function createLogger(options: LoggerOptions, destination?: DestinationStream): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: requestFields,
  };
  return destination === undefined ? pino(settings) : pino(settings, destination);
}
