import { readFile, writeFile, rename } from "node:fs/promises";
import { ChangeKind, ChangedResourceType, type DirectoryClient } from "@scimgw/directory-client";

export interface Deactivation {
  seq: bigint;
  userId: string;
}

/** The last processed sequence number, kept in a file so a restart resumes where it stopped. */
export const cursorFile = {
  async read(file: string): Promise<bigint> {
    try {
      return BigInt((await readFile(file, "utf8")).trim() || "0");
    } catch {
      return 0n;
    }
  },
  /** Written to a temporary file and renamed, so a crash never leaves half a number. */
  async write(file: string, seq: bigint): Promise<void> {
    await writeFile(`${file}.tmp`, String(seq));
    await rename(`${file}.tmp`, file);
  },
};

/**
 * Follows a tenant's changes from the stored cursor and hands every user deactivation to
 * `onDeactivation`, then stores the cursor: an event is acted on before it counts as processed,
 * so a crash in between repeats it at most once (make `onDeactivation` idempotent).
 */
export async function followDeactivations(
  client: DirectoryClient,
  tenantId: string,
  file: string,
  onDeactivation: (deactivation: Deactivation) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const after = await cursorFile.read(file);
  for await (const event of client.watchChanges(tenantId, { after, ...(signal ? { signal } : {}) })) {
    if (event.resourceType === ChangedResourceType.USER && event.kind === ChangeKind.DEACTIVATED) {
      await onDeactivation({ seq: event.seq, userId: event.resourceId });
    }
    await cursorFile.write(file, event.seq);
  }
}
