/**
 * The membership changes one group write made, in the order it made them, reduced to their net
 * effect for the change feed. Order matters: a PATCH that removes a member and then adds it back
 * leaves it a member, and the feed must not say it was removed (consumers fold the events).
 */
export class MembershipDelta {
  /** Per member id: whether it was a member before the write, and whether it is one now. */
  private readonly touched = new Map<string, { before: boolean; after: boolean }>();

  /** Ids that were just added: they were not members at that point. */
  added(ids: readonly string[]): void {
    for (const id of ids) this.touched.set(id, { before: this.touched.get(id)?.before ?? false, after: true });
  }

  /** Ids that were just removed: they were members at that point. */
  removed(ids: readonly string[]): void {
    for (const id of ids) this.touched.set(id, { before: this.touched.get(id)?.before ?? true, after: false });
  }

  /** Who is a member now and was not before the write, and the reverse. */
  net(): { added: string[]; removed: string[] } {
    const added: string[] = [];
    const removed: string[] = [];
    for (const [id, { before, after }] of this.touched) {
      if (!before && after) added.push(id);
      else if (before && !after) removed.push(id);
    }
    return { added, removed };
  }
}
