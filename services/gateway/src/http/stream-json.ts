import { Readable } from "node:stream";

/**
 * An array whose items arrive in pages (a group's members, read from the directory one page at a
 * time). Placed anywhere in a value given to `jsonChunks`, it is written as a JSON array page by
 * page, so a document holding a huge array never exists whole, as an object or as a string.
 */
export class StreamedArray {
  constructor(readonly pages: AsyncIterable<readonly unknown[]>) {}
}

/** Whether `value` holds a StreamedArray anywhere, i.e. whether it must be written in pieces. */
export function containsStreamedArray(value: unknown): boolean {
  if (value instanceof StreamedArray) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(containsStreamedArray);
}

/** Fragments of JSON text in document order; plain subtrees as one JSON.stringify each. */
async function* fragments(value: unknown): AsyncGenerator<string> {
  if (value instanceof StreamedArray) {
    yield "[";
    let written = false;
    for await (const page of value.pages) {
      // Runs of plain items become one fragment: a page of members is one string, not thousands.
      let run: string[] = [];
      for (const item of page) {
        if (!containsStreamedArray(item)) {
          run.push(JSON.stringify(item) ?? "null");
          continue;
        }
        if (run.length > 0) {
          yield (written ? "," : "") + run.join(",");
          written = true;
          run = [];
        }
        if (written) yield ",";
        yield* fragments(item);
        written = true;
      }
      if (run.length > 0) {
        yield (written ? "," : "") + run.join(",");
        written = true;
      }
    }
    yield "]";
    return;
  }
  if (!containsStreamedArray(value)) {
    // As JSON.stringify writes a value inside an array: undefined becomes null.
    yield JSON.stringify(value) ?? "null";
    return;
  }
  if (Array.isArray(value)) {
    yield "[";
    for (const [index, item] of value.entries()) {
      if (index > 0) yield ",";
      yield* fragments(item);
    }
    yield "]";
    return;
  }
  yield "{";
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    // As JSON.stringify does: members whose value JSON cannot represent are left out.
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    yield `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    yield* fragments(item);
  }
  yield "}";
}

/**
 * The JSON text of `value` in chunks of about `chunkSize` characters or more (a page of a
 * StreamedArray is one chunk). The text is what JSON.stringify would write for the same value
 * with every StreamedArray replaced by the array of all its items.
 */
export async function* jsonChunks(value: unknown, chunkSize = 16 * 1024): AsyncGenerator<string> {
  let buffer = "";
  for await (const fragment of fragments(value)) {
    buffer += fragment;
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer !== "") yield buffer;
}

/**
 * A response body for `value`. The stream reads the next page only when the client has taken the
 * previous ones (backpressure), so a slow reader holds at most a page or two in memory; if a page
 * fails, the stream errors and the connection is cut, because a status already sent cannot change
 * and a truncated document must not pass for a complete one.
 */
export function jsonBody(value: unknown): Readable {
  return Readable.from(jsonChunks(value), { objectMode: false });
}
