import { ConfigError } from "./config-error.js";

/**
 * What a person should do about a failure, in one line. Exit code 2: change a setting or run a
 * command (a retry alone will not help); 1: a runtime failure that may pass (a database down).
 */
export interface Explanation {
  message: string;
  exitCode: 1 | 2;
}

/** A program's table from its own failures to explanations; undefined for anything it does not know. */
export type ExplainFailure = (error: unknown) => Explanation | undefined;

/** Levels at which the stack of a failure is worth its noise. */
const stackLevels = new Set(["debug", "trace"]);

/** The one line (or one line per bad setting) a failure is reported with, and its exit code. */
export function describeFailure(error: unknown, explain: ExplainFailure): Explanation {
  if (error instanceof ConfigError)
    return { message: error.problems.length === 1 ? `invalid setting ${error.problems[0]}` : error.message, exitCode: 2 };
  return explain(error) ?? { message: `failed: ${error instanceof Error ? error.message : String(error)}`, exitCode: 1 };
}

/**
 * The end of every program's main when it fails: the explanation on stderr, prefixed with the
 * program's name, the stack only at LOG_LEVEL=debug or trace (a person fixing a setting needs the
 * line, not the trace), and the explanation's exit code.
 */
export function exitWithFailure(program: string, error: unknown, explain: ExplainFailure, env: NodeJS.ProcessEnv = process.env): never {
  const { message, exitCode } = describeFailure(error, explain);
  process.stderr.write(`${program}: ${message}\n`);
  if (stackLevels.has(env.LOG_LEVEL ?? "") && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  process.exit(exitCode);
}
