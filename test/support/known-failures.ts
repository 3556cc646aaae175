import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const listPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "../known-failures.txt");

/** `id: reason` lines of test/known-failures.txt; `#` starts a comment. */
async function knownFailures(): Promise<Map<string, string>> {
  const text = await readFile(listPath, "utf8");
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    const content = line.replace(/#.*/, "").trim();
    if (content === "") continue;
    const separator = content.indexOf(":");
    entries.set(content.slice(0, separator).trim(), content.slice(separator + 1).trim());
  }
  return entries;
}

/**
 * Runs a check that is listed as a known failure: while it is listed, the check must still fail
 * (so the list cannot go stale once the feature lands); when it is not listed it must pass.
 */
export async function knownFailure(id: string, check: () => void | Promise<void>): Promise<void> {
  const reason = (await knownFailures()).get(id);
  if (reason === undefined) {
    await check();
    return;
  }
  await assert.rejects(async () => check(), `"${id}" is listed in test/known-failures.txt but now passes: remove the line`);
}
