// What one directory write leaves in the store, checked across a tenant's whole history: a write
// commits its rows, its change events and its activity entry together (recordChanges, in the
// write's transaction), so after any crash each resource's rows, events and entries tell the same
// story. Each check returns the problems it found, as sentences, so a crash test can print them all.
import { openDatabase, type DatabaseLocation } from "@scimgw/directory";

interface EventRow {
  seq: number;
  resourceType: string;
  resourceId: string;
  kind: string;
  version: number;
  memberIds: string[];
}

/** An activity entry of a write the directory answered with success. */
export interface WriteEntry {
  seq: number;
  requestId: string;
  method: string;
  resourceType: string;
  resourceId: string;
  status: number;
  attributes: number;
  addedMemberIds: string[];
  removedMemberIds: string[];
}

/** A tenant's rows, events and successful write entries, read in one go after the crash. */
export interface TenantStore {
  lastChangeSeq: number;
  lastActivitySeq: number;
  /** The counts of users and groups the tenant's row keeps. */
  userCount: number;
  groupCount: number;
  activitySeqs: number[];
  users: Map<string, number>;
  groups: Map<string, number>;
  members: Map<string, Set<string>>;
  events: EventRow[];
  entries: WriteEntry[];
}

const writeMethods = ["POST", "PUT", "PATCH", "DELETE"];

/**
 * Reads what the checks need of one tenant, with a connection of the test's own, in one snapshot:
 * the gateway may record a read's activity entry meanwhile, and the counters and the rows read must
 * be of the same moment. (SQLite's transaction reads one snapshot anyway and takes no level.)
 */
export async function readTenantStore(location: DatabaseLocation, tenantId: string): Promise<TenantStore> {
  const db = openDatabase(location);
  try {
    return await db.transaction(
      (trx) => readWith(trx, tenantId),
      location.kind === "postgres" ? { isolationLevel: "repeatable read", readOnly: true } : {},
    );
  } finally {
    await db.destroy();
  }
}

async function readWith(db: ReturnType<typeof openDatabase>, tenantId: string): Promise<TenantStore> {
  const tenant = await db("tenants").where("id", tenantId).first("last_change_seq", "last_activity_seq", "user_count", "group_count");
  const users = await db("users").where("tenant_id", tenantId).select("id", "version");
  const groups = await db("groups").where("tenant_id", tenantId).select("id", "version");
  const memberRows = await db("group_members").where("tenant_id", tenantId).select("group_id", "member_id");
  const eventRows = await db("change_events")
    .where("tenant_id", tenantId)
    .orderBy("seq")
    .select("seq", "resource_type", "resource_id", "kind", "version", "member_ids");
  const activitySeqs = (await db("activity_entries").where("tenant_id", tenantId).orderBy("seq").select("seq")).map((row) =>
    Number(row.seq),
  );
  const entryRows = await db("activity_entries")
    .where("tenant_id", tenantId)
    .whereIn("method", writeMethods)
    .andWhere("status_class", 2)
    .orderBy("seq")
    .select("seq", "request_id", "method", "resource_type", "resource_id", "status", "diff");
  const members = new Map<string, Set<string>>(groups.map((group) => [group.id, new Set<string>()]));
  for (const row of memberRows) {
    const set = members.get(row.group_id) ?? new Set<string>();
    set.add(row.member_id);
    members.set(row.group_id, set);
  }
  return {
    lastChangeSeq: Number(tenant?.last_change_seq ?? 0),
    lastActivitySeq: Number(tenant?.last_activity_seq ?? 0),
    userCount: Number(tenant?.user_count ?? 0),
    groupCount: Number(tenant?.group_count ?? 0),
    activitySeqs,
    users: new Map(users.map((row) => [row.id, Number(row.version)])),
    groups: new Map(groups.map((row) => [row.id, Number(row.version)])),
    members,
    events: eventRows.map((row) => ({
      seq: Number(row.seq),
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      kind: row.kind,
      version: Number(row.version),
      memberIds: row.member_ids === null ? [] : (JSON.parse(row.member_ids) as string[]),
    })),
    entries: entryRows.map((row) => {
      // The diff as ActivityDiff's JSON; ids are listed when the directory records values.
      const diff = (row.diff === null ? {} : JSON.parse(row.diff)) as {
        attributes?: unknown[];
        addedMemberIds?: string[];
        removedMemberIds?: string[];
      };
      return {
        seq: Number(row.seq),
        requestId: row.request_id,
        method: row.method,
        resourceType: row.resource_type,
        resourceId: row.resource_id,
        status: Number(row.status),
        attributes: diff.attributes?.length ?? 0,
        addedMemberIds: diff.addedMemberIds ?? [],
        removedMemberIds: diff.removedMemberIds ?? [],
      };
    }),
  };
}

/** 1, 2, ..., last: the numbers a gap-free log holds. */
function gapFree(seqs: readonly number[], last: number): boolean {
  return seqs.length === last && seqs.every((seq, index) => seq === index + 1);
}

/**
 * The checks, each true by design whatever the crash:
 * - the change log and the activity log are numbered 1..counter with no gap (the counter is
 *   bumped in the transaction that writes the rows), and the tenant's counts of users and groups
 *   are its rows' (moved in the same statement);
 * - each resource's events start with "created" at version 1 and step one version at a time; a
 *   live resource's last version is its row's, a resource without a row ended with "deleted";
 * - folding the membership events gives exactly the group_members rows, and a deleted user was in
 *   no group when its "deleted" event was recorded;
 * - a user's versions are exactly its successful SCIM writes that changed something, and a deleted
 *   user has exactly one successful DELETE; a group's versions are its successful SCIM writes that
 *   changed something plus the removals a member's deletion made, and every member added or removed
 *   by an event is named by an entry (or, for a removal, by the member's deletion).
 * The tenant must be written only through the gateway, and the directory must record values
 * (ACTIVITY_RECORD_VALUES=true) for the member ids.
 */
export function storeProblems(store: TenantStore): string[] {
  const problems: string[] = [];
  if (
    !gapFree(
      store.events.map((event) => event.seq),
      store.lastChangeSeq,
    )
  )
    problems.push(`change events are not numbered 1..${store.lastChangeSeq} without gaps (${store.events.length} events)`);
  if (!gapFree(store.activitySeqs, store.lastActivitySeq))
    problems.push(`activity entries are not numbered 1..${store.lastActivitySeq} without gaps (${store.activitySeqs.length} entries)`);
  if (store.userCount !== store.users.size || store.groupCount !== store.groups.size)
    problems.push(
      `the tenant counts ${store.userCount} users and ${store.groupCount} groups, and has ${store.users.size} and ${store.groups.size}`,
    );

  const eventsOf = new Map<string, EventRow[]>();
  for (const event of store.events) {
    const key = `${event.resourceType}/${event.resourceId}`;
    eventsOf.set(key, [...(eventsOf.get(key) ?? []), event]);
  }
  const versionsOf = new Map<string, number>();
  for (const [key, events] of eventsOf) {
    const [first] = events;
    if (first?.kind !== "created" || first.version !== 1)
      problems.push(`${key}: first event is ${first?.kind} v${first?.version}, not created v1`);
    let version = 1;
    for (const event of events.slice(1)) {
      if (event.kind === "deleted") {
        if (event.version !== version) problems.push(`${key}: deleted at v${event.version} after v${version}`);
      } else if (event.version !== version && event.version !== version + 1)
        problems.push(`${key}: event ${event.seq} (${event.kind}) jumps from v${version} to v${event.version}`);
      version = event.version;
    }
    const deleted = events.findIndex((event) => event.kind === "deleted");
    if (deleted !== -1 && deleted !== events.length - 1) problems.push(`${key}: events after its "deleted" event`);
    versionsOf.set(key, version);
    const [type, id] = key.split("/") as [string, string];
    const row = (type === "User" ? store.users : store.groups).get(id);
    if (deleted === -1 && row === undefined) problems.push(`${key}: no row, and no "deleted" event`);
    if (deleted !== -1 && row !== undefined) problems.push(`${key}: a row, after its "deleted" event`);
    if (row !== undefined && row !== version) problems.push(`${key}: row at v${row}, events end at v${version}`);
  }
  for (const [type, rows] of [
    ["User", store.users],
    ["Group", store.groups],
  ] as const)
    for (const id of rows.keys()) if (!eventsOf.has(`${type}/${id}`)) problems.push(`${type}/${id}: a row without events`);

  // Membership: the events, folded in order, must give the rows.
  const folded = new Map<string, Set<string>>();
  const deletedUsers = new Set<string>();
  for (const event of store.events) {
    if (event.resourceType === "User") {
      if (event.kind === "deleted") {
        deletedUsers.add(event.resourceId);
        for (const [group, members] of folded)
          if (members.has(event.resourceId)) problems.push(`User/${event.resourceId}: deleted while still a member of ${group}`);
      }
      continue;
    }
    const members = folded.get(event.resourceId) ?? new Set<string>();
    folded.set(event.resourceId, members);
    if (event.kind === "deleted") folded.delete(event.resourceId);
    for (const id of event.memberIds) {
      if (event.kind === "members_added") {
        if (members.has(id)) problems.push(`Group/${event.resourceId}: event ${event.seq} adds ${id}, already a member`);
        members.add(id);
      } else if (event.kind === "members_removed") {
        if (!members.delete(id)) problems.push(`Group/${event.resourceId}: event ${event.seq} removes ${id}, not a member`);
      }
    }
  }
  for (const [group, rows] of store.members) {
    const expected = folded.get(group) ?? new Set<string>();
    const extra = [...rows].filter((id) => !expected.has(id));
    const missing = [...expected].filter((id) => !rows.has(id));
    if (extra.length > 0 || missing.length > 0)
      problems.push(`Group/${group}: members ${JSON.stringify({ extra, missing })} against its events`);
    for (const id of rows) if (!store.users.has(id) && !store.groups.has(id)) problems.push(`Group/${group}: member ${id} does not exist`);
  }

  // Activity: one successful entry per write that changed something, and the same members.
  const changingEntries = new Map<string, number>();
  const deletes = new Map<string, number>();
  for (const entry of store.entries) {
    const key = `${entry.resourceType}/${entry.resourceId}`;
    if (entry.method === "DELETE") deletes.set(key, (deletes.get(key) ?? 0) + 1);
    else if (entry.attributes + entry.addedMemberIds.length + entry.removedMemberIds.length > 0)
      changingEntries.set(key, (changingEntries.get(key) ?? 0) + 1);
  }
  // Member ids per "group member" pair, counted: a member may be added and removed several times.
  const count = (counts: Map<string, number>, pair: string) => counts.set(pair, (counts.get(pair) ?? 0) + 1);
  const byEvents = { members_added: new Map<string, number>(), members_removed: new Map<string, number>() };
  for (const event of store.events)
    if (event.kind === "members_added" || event.kind === "members_removed")
      for (const id of event.memberIds) count(byEvents[event.kind], `${event.resourceId} ${id}`);
  const byEntries = { members_added: new Map<string, number>(), members_removed: new Map<string, number>() };
  for (const entry of store.entries) {
    for (const id of entry.addedMemberIds) count(byEntries.members_added, `${entry.resourceId} ${id}`);
    for (const id of entry.removedMemberIds) count(byEntries.members_removed, `${entry.resourceId} ${id}`);
  }
  const cascades = new Map<string, number>();
  for (const kind of ["members_added", "members_removed"] as const) {
    for (const pair of new Set([...byEvents[kind].keys(), ...byEntries[kind].keys()])) {
      const [group, member] = pair.split(" ") as [string, string];
      const unnamed = (byEvents[kind].get(pair) ?? 0) - (byEntries[kind].get(pair) ?? 0);
      if (unnamed === 0) continue;
      // The one removal no request names: the member's deletion removed it, in the deleting transaction.
      if (kind === "members_removed" && unnamed === 1 && deletedUsers.has(member)) count(cascades, `Group/${group}`);
      else
        problems.push(
          `Group/${group}: ${kind} of ${member} in ${byEvents[kind].get(pair) ?? 0} events, in ${byEntries[kind].get(pair) ?? 0} entries`,
        );
    }
  }
  for (const [key, events] of eventsOf) {
    const versions = versionsOf.get(key) ?? 0;
    const changes = (changingEntries.get(key) ?? 0) + (cascades.get(key) ?? 0);
    if (changes !== versions) problems.push(`${key}: ${versions} versions, but ${changes} successful writes changed it`);
    const deleted = events.some((event) => event.kind === "deleted") ? 1 : 0;
    if ((deletes.get(key) ?? 0) !== deleted)
      problems.push(`${key}: ${deletes.get(key) ?? 0} successful DELETEs, ${deleted} "deleted" events`);
  }
  return problems;
}
