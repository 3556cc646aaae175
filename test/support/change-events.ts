// A tenant's change feed read the way the suites check what a write announced.
import type { ChangeEvent, DirectoryClient } from "@scimgw/directory-client";

/** The change events of a tenant up to the one `done` accepts (or 5 s). */
export async function eventsUntil(
  client: DirectoryClient,
  tenantId: string,
  done: (event: ChangeEvent) => boolean,
): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  try {
    for await (const event of client.watchChanges(tenantId, { after: 0n, signal: controller.signal })) {
      events.push(event);
      if (done(event)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}
