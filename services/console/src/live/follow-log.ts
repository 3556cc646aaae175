import type { ActivityEntry } from "@scimgw/proto";
import { pause } from "./event-stream.js";

export interface LogPage {
  entries: ActivityEntry[];
  latestSeq: bigint;
}

/** The larger of two sequence numbers (bigints, which Math.max does not take). */
const later = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Follows an activity log by polling with after_seq, as ListActivity documents: after a full page
 * the next call starts at its last entry, else at latest_seq (every entry up to it was committed,
 * so entries the filters leave out are passed over once). Ends when the signal aborts; a failing
 * call ends it too, by throwing.
 */
export async function followLog(
  read: (afterSeq: bigint, pageSize: number) => Promise<LogPage>,
  afterSeq: bigint,
  onEntries: (entries: ActivityEntry[]) => void,
  options: { pollMs: number; signal: AbortSignal; pageSize?: number },
): Promise<void> {
  const pageSize = options.pageSize ?? 200;
  let after = afterSeq;
  while (!options.signal.aborted) {
    const page = await read(after, pageSize);
    if (options.signal.aborted) return;
    if (page.entries.length > 0) onEntries(page.entries);
    const last = page.entries.at(-1);
    after = page.entries.length >= pageSize && last !== undefined ? last.seq : later(page.latestSeq, after);
    if (page.entries.length < pageSize) await pause(options.pollMs, options.signal);
  }
}
