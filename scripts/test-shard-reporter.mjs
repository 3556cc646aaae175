// A node:test reporter for scripts/test-in-shards.mjs: one JSON line per test file of the shard
// (its outcome and duration) and one per failed test (the names leading to it, and the error), so
// the runner can tell which files finished and name every failure in its summary.
function errorText(error) {
  const cause = error?.cause ?? error;
  return String(cause?.message ?? cause ?? "failed").split("\n")[0];
}

export default async function* shardReporter(source) {
  const names = [];
  for await (const event of source) {
    const { type, data } = event;
    if (type === "test:start") names[data.nesting] = data.name;
    if (type !== "test:pass" && type !== "test:fail") continue;
    names[data.nesting] = data.name;
    const duration = data.details?.duration_ms ?? 0;
    if (data.nesting === 0) {
      // A file that failed outside any test (it did not load, or a hook threw) says why here.
      const error =
        type === "test:fail" && data.details?.error?.failureType !== "subtestsFailed" ? errorText(data.details?.error) : undefined;
      yield `${JSON.stringify({ kind: "file", file: data.name, ok: type === "test:pass", seconds: duration / 1000, error })}\n`;
    } else if (type === "test:fail" && data.details?.error?.failureType !== "subtestsFailed") {
      const location = data.file === undefined ? undefined : `${data.file}:${data.line}:${data.column}`;
      yield `${JSON.stringify({ kind: "failure", file: names[0], path: names.slice(1, data.nesting + 1), error: errorText(data.details?.error), location })}\n`;
    }
  }
}
