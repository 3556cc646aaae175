/** The longest path a log line or an activity entry shows: ids are UUIDs, but an unmatched path is whatever a client sent. */
const maxPathLength = 256;

/** A request's path as logs and the activity log show it, cut (with "…") so a hostile one cannot bloat them. */
export function shownPath(path: string): string {
  return path.length > maxPathLength ? `${path.slice(0, maxPathLength)}…` : path;
}
