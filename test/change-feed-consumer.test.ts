// The change feed's promise to internal services, end to end: a consumer process follows the feed
// while identity providers' traffic runs through the gateway, is SIGKILLed and restarted
// mid-stream (more than once, while the traffic goes on), and at the end has seen every change
// exactly once, in order, and folds them into the directory's current state.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { toJson } from "@bufbuild/protobuf";
import { ChangeEventSchema } from "@scimgw/proto";
import { openDatabase } from "@scimgw/directory";
import { ChangedResourceType, ChangeKind, createDirectoryClient, type ChangeEvent, type DirectoryClient } from "@scimgw/directory-client";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn, type ScimClient, type ScimResponse } from "./support/scim-client.js";
import { groupSchemaUrn } from "./support/group-checks.js";
import type { ScimJson } from "./support/scim-checks.js";
import { legacyOp, patchRequest } from "./support/entra-requests.js";

const consumerMain = path.join(path.dirname(fileURLToPath(import.meta.url)), "support/journal-consumer.ts");
const oktaHeaders = { headers: { "User-Agent": "Okta SCIM Client 1.0.0", "Content-Type": "application/json" } };
const tag = () => Math.random().toString(36).slice(2, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One run of the consumer process; `after` is the seq it said it resumes after. */
interface ConsumerRun {
  child: ChildProcess;
  after: bigint;
}

async function startConsumer(env: Record<string, string>): Promise<ConsumerRun> {
  const child = spawn(process.execPath, ["--import", "tsx", consumerMain], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the consumer did not start in 20 s:\n${stderr}`)), 20_000);
    child.once("exit", (code, signal) => reject(new Error(`the consumer exited (${code ?? signal}) before following:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const following = /^following tenant \S+ after seq (\d+)$/.exec(line);
      if (following === null) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({ child, after: BigInt(following[1]!) });
    });
  });
}

async function stopConsumer(run: ConsumerRun | undefined, signal: NodeJS.Signals): Promise<void> {
  if (run === undefined || run.child.exitCode !== null || run.child.signalCode !== null) return;
  const exited = new Promise((resolve) => run.child.once("exit", resolve));
  run.child.kill(signal);
  await exited;
}

/** A journal line: the proto JSON of a ChangeEvent (int64 as strings, enums by name, empty lists left out). */
interface EventJson {
  seq: string;
  resourceType: string;
  resourceId: string;
  kind: string;
  version: string;
  memberIds?: string[];
  active?: boolean;
  [field: string]: unknown;
}

/** The journal's complete lines. */
function readJournal(file: string): EventJson[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const lines = text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((line) => line !== "");
  return lines.map((line, n) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`journal line ${n + 1} is not an event (a partial line kept?): ${line.slice(0, 80)}`);
    }
  });
}

/** What a consumer knows about the directory, and what the directory says about itself. */
interface DirectoryState {
  users: Map<string, { version: bigint; active: boolean }>;
  groups: Map<string, { version: bigint; members: string[] }>;
}

/**
 * The state the events describe, applied in seq order. Users: CREATED puts a user in; every user
 * event but DELETED carries the active flag after it (DEACTIVATED and REACTIVATED are the
 * changes of that flag, UPDATED leaves it as it was); DELETED takes the user out. Groups: CREATED puts an empty group in (its initial members follow as
 * MEMBERS_ADDED at the same version); MEMBERS_ADDED and MEMBERS_REMOVED change the member set;
 * RENAMED and UPDATED change neither; DELETED takes the group out. Deleting a user or group
 * first removes it from each group it was in, one MEMBERS_REMOVED per group, in the same
 * transaction. Every event sets the version. The fold
 * also checks each event against what came before: it names a resource that exists, a user's
 * version grows by exactly one per event, a group's by one per write (a write's events share one),
 * and a delete carries the last version.
 */
function foldEvents(events: readonly EventJson[]): DirectoryState {
  const users = new Map<string, { version: bigint; active: boolean }>();
  const groups = new Map<string, { version: bigint; members: Set<string> }>();
  for (const json of events) {
    const event = { ...json, version: BigInt(json.version), memberIds: json.memberIds ?? [] };
    const where = `seq ${json.seq} (${event.kind} ${event.resourceType} ${event.resourceId})`;
    if (event.resourceType === "CHANGED_RESOURCE_TYPE_USER") {
      const user = users.get(event.resourceId);
      if (event.kind === "CHANGE_KIND_CREATED") {
        assert.equal(user, undefined, `${where}: created twice`);
        assert.equal(event.version, 1n, `${where}: a new user is version 1`);
        assert.equal(typeof event.active, "boolean", `${where}: a user event carries the active flag`);
        users.set(event.resourceId, { version: 1n, active: event.active! });
        continue;
      }
      assert.ok(user !== undefined, `${where}: no such user`);
      if (event.kind === "CHANGE_KIND_DELETED") {
        assert.equal(event.version, user.version, `${where}: a delete carries the last version`);
        users.delete(event.resourceId);
        continue;
      }
      assert.equal(event.version, user.version + 1n, `${where}: every user write is one event and one version`);
      user.version = event.version;
      const expectedActive = { CHANGE_KIND_DEACTIVATED: false, CHANGE_KIND_REACTIVATED: true, CHANGE_KIND_UPDATED: user.active }[
        event.kind
      ];
      assert.notEqual(expectedActive, undefined, `${where}: not a user change`);
      assert.equal(event.active, expectedActive, `${where}: the active flag after the change`);
      user.active = event.active!;
      continue;
    }
    assert.equal(event.resourceType, "CHANGED_RESOURCE_TYPE_GROUP", `${where}: neither user nor group`);
    const group = groups.get(event.resourceId);
    if (event.kind === "CHANGE_KIND_CREATED") {
      assert.equal(group, undefined, `${where}: created twice`);
      assert.equal(event.version, 1n, `${where}: a new group is version 1`);
      groups.set(event.resourceId, { version: 1n, members: new Set() });
      continue;
    }
    assert.ok(group !== undefined, `${where}: no such group`);
    if (event.kind === "CHANGE_KIND_DELETED") {
      assert.equal(event.version, group.version, `${where}: a delete carries the last version`);
      groups.delete(event.resourceId);
      continue;
    }
    assert.ok(
      event.version === group.version || event.version === group.version + 1n,
      `${where}: version ${event.version} after ${group.version}`,
    );
    group.version = event.version;
    if (event.kind === "CHANGE_KIND_MEMBERS_ADDED") {
      for (const id of event.memberIds) {
        assert.ok(!group.members.has(id), `${where}: ${id} added but already a member`);
        group.members.add(id);
      }
    } else if (event.kind === "CHANGE_KIND_MEMBERS_REMOVED") {
      for (const id of event.memberIds) assert.ok(group.members.delete(id), `${where}: ${id} removed but not a member`);
    } else {
      assert.ok(event.kind === "CHANGE_KIND_RENAMED" || event.kind === "CHANGE_KIND_UPDATED", `${where}: not a group change`);
    }
  }
  return {
    users,
    groups: new Map([...groups].map(([id, group]) => [id, { version: group.version, members: [...group.members].sort() }])),
  };
}

/** The directory's current users and groups, read page by page through the typed client. */
async function readDirectory(client: DirectoryClient, tenantId: string): Promise<DirectoryState> {
  const state: DirectoryState = { users: new Map(), groups: new Map() };
  for (let startIndex = 1n; ; ) {
    const page = await client.users.listUsers({ tenantId, startIndex, count: 100 });
    for (const user of page.users) state.users.set(user.id, { version: user.meta!.version, active: user.active !== false });
    startIndex += BigInt(page.users.length);
    if (page.users.length === 0 || startIndex > page.totalResults) break;
  }
  for (let startIndex = 1n; ; ) {
    const page = await client.groups.listGroups({ tenantId, startIndex, count: 100 });
    for (const group of page.groups) {
      const members: string[] = [];
      for (let afterMemberId = ""; ; ) {
        const response = await client.groups.listGroupMembers({ tenantId, groupId: group.id, afterMemberId, limit: 100 });
        members.push(...response.members.map((member) => member.value));
        if (response.nextAfterMemberId === "") break;
        afterMemberId = response.nextAfterMemberId;
      }
      state.groups.set(group.id, { version: group.meta!.version, members: members.sort() });
    }
    startIndex += BigInt(page.groups.length);
    if (page.groups.length === 0 || startIndex > page.totalResults) break;
  }
  return state;
}

/** The whole feed from the start, read by a fresh watch, up to `lastSeq`. */
async function replayFeed(client: DirectoryClient, tenantId: string, lastSeq: bigint): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    for await (const event of client.watchChanges(tenantId, { after: 0n, signal: controller.signal })) {
      events.push(event);
      if (event.seq >= lastSeq) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return events;
}

for (const store of await storeKindsUnderTest())
  describe(`a change-feed consumer killed mid-stream on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    let directory: DirectoryClient;
    let tenantId: string;
    let consumerEnv: Record<string, string>;
    let journalFile: string;
    let consumer: ConsumerRun | undefined;

    before(async () => {
      product = await Product.start({ store });
      scim = scimClient(product.baseUrl, product.apiKey);
      tenantId = await product.tenantIdOf("default");
      const serviceCredential = await product.issueServiceCredential("change-feed-consumer", "read-only");
      directory = createDirectoryClient({ address: product.directoryAddresses[0]!, serviceCredential });
      journalFile = path.join(product.dataDir, "consumer.journal");
      consumerEnv = {
        DIRECTORY_ADDRESS: product.directoryAddresses[0]!,
        DIRECTORY_CREDENTIAL: serviceCredential,
        TENANT_ID: tenantId,
        JOURNAL_FILE: journalFile,
      };
    });
    after(async () => {
      await stopConsumer(consumer, "SIGKILL");
      directory?.close();
      await product?.stop();
    });

    test("sees every change once, in order, across kills, and folds them into the directory's state", async (t) => {
      consumer = await startConsumer(consumerEnv);
      assert.equal(consumer.after, 0n, "a new consumer starts at the beginning");

      const failures: string[] = [];
      let trafficDone = false;
      /** Sends a write; an unexpected status is collected, not thrown, so the other workers go on. */
      async function send(label: string, expected: number, request: Promise<ScimResponse>): Promise<ScimJson> {
        const response = await request;
        if (response.status !== expected) failures.push(`${label}: ${response.status} ${JSON.stringify(response.body)}`);
        return response.body;
      }

      // Users, Okta style: POST with active true; every tenth one arrives disabled, as Entra
      // provisions a disabled account (the CREATED event says so).
      const userIds: string[] = new Array(80);
      const createUsers = async (worker: number) => {
        for (let i = worker; i < userIds.length; i += 4) {
          const userName = randomUserName(`feed${i}`);
          const body = {
            schemas: [userSchemaUrn],
            userName,
            name: { givenName: `User${i}`, familyName: "Feed" },
            emails: [{ primary: true, value: userName, type: "work" }],
            displayName: `User${i} Feed`,
            externalId: `00u${tag()}`,
            groups: [],
            active: i % 10 !== 9,
          };
          userIds[i] = (await send(`create user ${i}`, 201, scim.post("/Users", body, oktaHeaders))).id;
        }
      };
      const user = (i: number) => userIds[i]!;
      const members = (...indexes: number[]) => indexes.map((i) => ({ value: user(i) }));
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

      // Profile updates: Entra's legacy PATCH (one operation per attribute), and Okta's PUT of the whole user.
      const updateProfiles = async () => {
        for (const i of range(0, 40)) {
          if (i % 4 === 3) {
            const current = (await scim.get(`/Users/${user(i)}`)).body;
            await send(
              `PUT user ${i}`,
              200,
              scim.put(
                `/Users/${user(i)}`,
                { ...current, name: { givenName: `Renamed${i}`, familyName: "Feed" }, displayName: `Renamed${i} Feed` },
                oktaHeaders,
              ),
            );
          } else {
            await send(
              `PATCH user ${i}`,
              200,
              scim.patch(
                `/Users/${user(i)}`,
                patchRequest(legacyOp.replace("title", `Title ${i}`), legacyOp.replace("displayName", `User${i} Patched`)),
              ),
            );
          }
        }
      };

      // Deprovisioning: Okta deactivates with a path-less replace, Entra with legacy "False"; some
      // come back; some users are deactivated and then deleted, others deleted outright, several of
      // them members of groups (their removal from each group is an event of its own).
      let groupsSeeded!: () => void;
      const seeded = new Promise<void>((resolve) => (groupsSeeded = resolve));
      const activeFlag = (i: number, active: boolean) =>
        i % 2 === 0
          ? { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active } }] }
          : patchRequest(legacyOp.replace("active", active ? "True" : "False"));
      const deprovision = async () => {
        for (const i of range(40, 56))
          await send(`deactivate user ${i}`, 200, scim.patch(`/Users/${user(i)}`, activeFlag(i, false), oktaHeaders));
        for (const i of range(40, 48))
          await send(`reactivate user ${i}`, 200, scim.patch(`/Users/${user(i)}`, activeFlag(i, true), oktaHeaders));
        await seeded;
        for (const i of range(60, 72)) {
          if (i < 66) await send(`deactivate user ${i}`, 200, scim.patch(`/Users/${user(i)}`, activeFlag(i, false), oktaHeaders));
          await send(`delete user ${i}`, 204, scim.delete(`/Users/${user(i)}`));
        }
      };

      // Groups: created empty then filled (Okta Push Groups) or created with their members; kept in
      // step with member PATCHes while users are deleted from them; renamed; PUT whole (Okta AIW);
      // a nested group deleted from its parent; a group deleted. Also what Okta sends that changes
      // nothing (re-adding a member, its name-only replace): no event and no new version; and a
      // PATCH that removes a member and adds it back: the feed reports the net effect.
      const createGroup = async (label: string, body: Record<string, unknown>) =>
        (await send(`create group ${label}`, 201, scim.post("/Groups", { schemas: [groupSchemaUrn], ...body }, oktaHeaders))) as {
          id: string;
          displayName: string;
        };
      const oktaPatch = (group: { id: string; displayName: string }, ...operations: Array<Record<string, unknown>>) =>
        scim.patch(
          `/Groups/${group.id}`,
          {
            schemas: [patchOpUrn],
            Operations: [{ op: "replace", value: { id: group.id, displayName: group.displayName } }, ...operations],
          },
          oktaHeaders,
        );
      const runGroups = async () => {
        const engineering = await createGroup("engineering", {
          displayName: `Engineering ${tag()}`,
          members: members(0, 1, 2, 3, 4, 5, 60, 61, 62, 63),
        });
        const sales = await createGroup("sales", { displayName: `Sales ${tag()}`, members: [] });
        await send(
          "fill sales",
          204,
          oktaPatch(sales, { op: "add", path: "members", value: members(...range(6, 16), 64, 65, 66, 67, 68) }),
        );
        const support = await createGroup("support", { displayName: `Support ${tag()}`, members: [] });
        groupsSeeded();
        await send("sales: re-add a member, same name", 204, oktaPatch(sales, { op: "add", path: "members", value: members(9) }));
        await send("sales: name only", 204, oktaPatch(sales));
        await send(
          "sales: remove and add back",
          204,
          oktaPatch(
            sales,
            { op: "remove", path: `members[value eq "${user(10)}"]` },
            { op: "add", path: "members", value: members(10, 11) },
          ),
        );
        await send(
          "sales: swap a member",
          204,
          oktaPatch(
            sales,
            { op: "remove", path: `members[value eq "${user(6)}"]` },
            { op: "add", path: "members", value: members(16, 17, 18, 19, 20) },
          ),
        );
        for (const batch of [range(20, 25), range(25, 30)])
          await send("engineering: add a batch", 204, oktaPatch(engineering, { op: "add", path: "members", value: members(...batch) }));
        support.displayName = `Customer Support ${tag()}`;
        await send(
          "support: rename and fill",
          204,
          oktaPatch(support, { op: "add", path: "members", value: members(30, 31, 32, 33, 34, 35) }),
        );
        const current = (await scim.get(`/Groups/${support.id}`)).body;
        await send(
          "support: PUT",
          200,
          scim.put(
            `/Groups/${support.id}`,
            { ...current, displayName: `Support Desk ${tag()}`, members: members(30, 31, 36, 37) },
            oktaHeaders,
          ),
        );
        const inner = await createGroup("inner", { displayName: `Inner ${tag()}`, members: members(0, 1) });
        await send("engineering: nest inner", 204, oktaPatch(engineering, { op: "add", path: "members", value: [{ value: inner.id }] }));
        await send(
          "sales: Entra removes two",
          204,
          scim.patch(`/Groups/${sales.id}`, patchRequest(legacyOp.remove("members", [{ value: user(7) }, { value: user(8) }]))),
        );
        const contractors = await createGroup("contractors", {
          displayName: `Contractors ${tag()}`,
          members: members(40, 41, 42, 43, 44, 45),
        });
        await send(
          "engineering: Entra rename",
          204,
          scim.patch(`/Groups/${engineering.id}`, patchRequest(legacyOp.replace("displayName", `R&D ${tag()}`))),
        );
        await send("delete inner", 204, scim.delete(`/Groups/${inner.id}`));
        await send("delete contractors", 204, scim.delete(`/Groups/${contractors.id}`));
        // On a fast machine the traffic could end before the last restart; this stretch waits for it.
        await lastRestartBegun;
        for (const i of range(0, 3)) {
          const team = await createGroup(`team ${i}`, { displayName: `Team ${i} ${tag()}`, members: [] });
          await send(`team ${i}: add`, 204, oktaPatch(team, { op: "add", path: "members", value: members(...range(i * 10, i * 10 + 8)) }));
          await send(`team ${i}: remove`, 204, oktaPatch(team, { op: "remove", path: `members[value eq "${user(i * 10 + 1)}"]` }));
        }
      };

      // The kills: SIGKILL once the running consumer has journaled `progress` more events (so it
      // is killed mid-stream, often mid-replay of a backlog), each restart starting while the
      // traffic still runs. One kill is followed by a partial line, as a write cut short leaves it.
      const journalSeq = () => BigInt(readJournal(journalFile).at(-1)?.seq ?? 0);
      const restarts: Array<{ after: bigint; journalLast: bigint; trafficRunning: boolean }> = [];
      let beginLastRestart!: () => void;
      const lastRestartBegun = new Promise<void>((resolve) => (beginLastRestart = resolve));
      const killAndRestart = async (progress: bigint, pauseMs: number, partialLine: boolean, last = false) => {
        const target = consumer!.after + progress;
        const deadline = Date.now() + 20_000;
        while (journalSeq() < target) {
          if (Date.now() > deadline) throw new Error(`the consumer journaled nothing past seq ${journalSeq()} in 20 s`);
          await sleep(2);
        }
        await stopConsumer(consumer, "SIGKILL");
        await sleep(pauseMs);
        if (partialLine) appendFileSync(journalFile, '{"seq":"');
        const journalLast = journalSeq();
        const trafficRunning = !trafficDone;
        const starting = startConsumer(consumerEnv);
        if (last) beginLastRestart();
        consumer = await starting;
        restarts.push({ after: consumer.after, journalLast, trafficRunning });
      };

      const started = Date.now();
      const traffic = (async () => {
        await Promise.all([0, 1, 2, 3].map(createUsers));
        await Promise.all([updateProfiles(), deprovision(), runGroups()]);
      })().finally(() => (trafficDone = true));
      const kills = (async () => {
        try {
          await killAndRestart(20n, 0, false);
          await killAndRestart(25n, 150, true);
          await killAndRestart(25n, 0, false, true);
        } finally {
          beginLastRestart();
        }
      })();
      // Both run to the end before anything is reported, so no request outlives the product.
      for (const settled of await Promise.allSettled([traffic, kills])) if (settled.status === "rejected") throw settled.reason;
      const trafficMs = Date.now() - started;
      assert.deepEqual(failures, [], "every SCIM write succeeded");

      // The directory's last seq is the tenant's sequence counter, read from its database: the
      // feed itself never says that it has ended.
      const db = openDatabase(product.databaseLocation);
      const lastSeq = BigInt((await db("tenants").where("id", tenantId).first("last_change_seq")).last_change_seq);
      await db.destroy();
      const deadline = Date.now() + 30_000;
      while (journalSeq() < lastSeq && Date.now() < deadline) await sleep(50);
      await stopConsumer(consumer, "SIGTERM");

      assert.equal(restarts.length, 3);
      for (const [n, restart] of restarts.entries()) {
        assert.ok(restart.trafficRunning, `restart ${n + 1} began while the traffic still ran (traffic took ${trafficMs} ms)`);
        assert.equal(restart.after, restart.journalLast, `restart ${n + 1} resumed after the journal's last complete line`);
        assert.ok(restart.after > (restarts[n - 1]?.after ?? 0n), `run ${n + 1} journaled events before it was killed`);
      }

      t.diagnostic(
        `${lastSeq} events; traffic ${trafficMs} ms; restarts resumed after seq ${restarts.map((restart) => restart.after).join(", ")}`,
      );
      const journal = readJournal(journalFile);
      assert.deepEqual(
        journal.map((event) => BigInt(event.seq)),
        Array.from({ length: Number(lastSeq) }, (_, i) => BigInt(i + 1)),
        "seqs 1..N, each once, in order",
      );

      const replayed = await replayFeed(directory, tenantId, lastSeq);
      assert.equal(replayed.length, journal.length, "the replay has as many events as the journal");
      for (const [i, event] of replayed.entries())
        assert.deepEqual(journal[i], toJson(ChangeEventSchema, event), `the event at seq ${event.seq}`);

      const folded = foldEvents(journal);
      const current = await readDirectory(directory, tenantId);
      assert.deepEqual(folded.users, current.users, "users: id → version and active");
      assert.deepEqual(folded.groups, current.groups, "groups: id → version and members");

      // The traffic did reach every kind of change the fold knows.
      const kinds = new Set(replayed.map((event) => `${ChangedResourceType[event.resourceType]} ${ChangeKind[event.kind]}`));
      for (const kind of [
        "USER CREATED",
        "USER UPDATED",
        "USER DEACTIVATED",
        "USER REACTIVATED",
        "USER DELETED",
        "GROUP CREATED",
        "GROUP RENAMED",
        "GROUP MEMBERS_ADDED",
        "GROUP MEMBERS_REMOVED",
        "GROUP DELETED",
      ]) {
        assert.ok(kinds.has(kind), `the traffic produced ${kind}`);
      }
    });
  });
