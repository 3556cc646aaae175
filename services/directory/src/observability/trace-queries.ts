import { SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { Knex } from "knex";
import { dialectOf, writerOf } from "../database/open-database.js";

const tracer = trace.getTracer("@scimgw/directory");

/** What knex tells its `query`, `query-response` and `query-error` listeners about a statement. */
interface QueryEvent {
  __knexQueryUid: string;
  sql: string;
  method?: string;
}

/** Long enough for any statement we write; a search over many values stays bounded. */
const maxStatementLength = 2048;

/**
 * A client span per SQL statement, a child of the call that ran it, from knex's query events:
 * knex has no OpenTelemetry instrumentation of its own, and the events carry the SQL with its
 * placeholders apart from the bindings, so the span gets the statement and never a value.
 * Attached by main only while tracing, as the listeners cost a map entry per statement.
 */
export function traceQueries(db: Knex): void {
  // SQLite's writes run on the writer's own connection, which is a Knex of its own.
  for (const connections of [db, writerOf(db)?.knex]) if (connections !== undefined) traceStatementsOf(connections);
}

function traceStatementsOf(db: Knex): void {
  const system = dialectOf(db) === "postgres" ? "postgresql" : "sqlite";
  const open = new Map<string, Span>();
  const finish = (query: QueryEvent, error?: unknown) => {
    const span = open.get(query.__knexQueryUid);
    if (span === undefined) return;
    open.delete(query.__knexQueryUid);
    if (error !== undefined) {
      // The code only (SQLITE_CONSTRAINT, 23505): a driver's message can quote the conflicting value.
      const code = (error as { code?: unknown } | null)?.code;
      span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === "string" ? { message: code } : {}) });
    }
    span.end();
  };
  db.on("query", (query: QueryEvent) => {
    const operation = query.method ?? "raw";
    open.set(
      query.__knexQueryUid,
      tracer.startSpan(`${system} ${operation}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system.name": system,
          "db.operation.name": operation,
          "db.query.text": query.sql.slice(0, maxStatementLength),
        },
      }),
    );
  });
  db.on("query-response", (_response: unknown, query: QueryEvent) => finish(query));
  db.on("query-error", (error: unknown, query: QueryEvent) => finish(query, error));
}
