// Issue 14's crash test: the directory is killed (SIGKILL: nothing flushes, nothing drains) at a
// random moment while 16 clients write through the gateway, ten times over. After each restart,
// every write a client saw succeed is there with its effect, a write nobody answered is there whole
// or not at all, and the store's rows, change events and activity entries agree with each other
// over the tenant's whole history (support/store-invariants.ts). It holds whatever the write path
// is (one transaction per write, or several writes per commit): only what was answered counts.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { groupSchemaUrn } from "./support/group-checks.js";
import { Product } from "./support/product.js";
import { patchOpUrn, scimClient, userSchemaUrn, type ScimClient, type ScimJson, type ScimResponse } from "./support/scim-client.js";
import { readTenantStore, storeProblems } from "./support/store-invariants.js";

const rounds = 10;
/** Concurrent clients, as the benchmark runs them: enough for several writes per commit. */
const workers = 16;
const groupCount = 4;
/** Writes acknowledged in a round before the kill may come, so that every round kills a busy directory. */
const acknowledgedBeforeKill = 40;
/** The kill comes up to this long after that, at a random moment. */
const killWindowMs = 600;

/** A user as the clients' answers say it is; `id` is unknown only for a create nobody answered. */
interface UserState {
  id?: string;
  title: string;
  active: boolean;
  /** Ids of the groups it is a direct member of, sorted. */
  groups: string[];
}

/** A write that got no answer (or a 5xx): it may have committed, wholly, or not at all. */
interface Unanswered {
  userName: string;
  requestId: string;
  /** The user if the write committed; undefined if it deleted the user. */
  ifApplied: UserState | undefined;
}

/** A write a client saw succeed: its activity entry must be there, naming what it changed. */
interface Acknowledged {
  requestId: string;
  status: number;
  resourceId: string;
}

function sameUser(expected: UserState | undefined, seen: UserState | undefined): boolean {
  if (expected === undefined || seen === undefined) return expected === seen;
  return (
    (expected.id === undefined || expected.id === seen.id) &&
    expected.title === seen.title &&
    expected.active === seen.active &&
    expected.groups.join() === seen.groups.join()
  );
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

/** Every user of the tenant as SCIM lists it, by userName. */
async function listUsers(scim: ScimClient): Promise<Map<string, UserState>> {
  const users = new Map<string, UserState>();
  for (let startIndex = 1; ; startIndex += 1000) {
    const page = await scim.get(`/Users?startIndex=${startIndex}&count=1000`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    for (const user of page.body.Resources as ScimJson[])
      users.set(user.userName, {
        id: user.id,
        title: user.title,
        active: user.active !== false,
        groups: ((user.groups ?? []) as ScimJson[])
          .filter((group) => group.type === "direct")
          .map((group) => group.value as string)
          .sort(),
      });
    if (startIndex + 1000 > page.body.totalResults) return users;
  }
}

for (const store of await storeKindsUnderTest())
  describe(`the directory killed under concurrent writes on ${store}`, () => {
    let product: Product;
    before(async () => {
      product = await Product.start({
        store,
        // The clients' writes are far above an IdP's rate; calls to the killed directory fail within 2 s.
        gatewayEnv: {
          DIRECTORY_TIMEOUT_MS: "2000",
          RATE_LIMIT_KEY_PER_SECOND: "100000",
          RATE_LIMIT_KEY_BURST: "100000",
          RATE_LIMIT_TENANT_PER_SECOND: "100000",
          RATE_LIMIT_TENANT_BURST: "100000",
        },
        // Entries then name the members each write added or removed, which the store checks match to events.
        directoryEnv: { ACTIVITY_RECORD_VALUES: "true" },
      });
    });
    after(() => product.stop());

    test(`${rounds} rounds of SIGKILL: nothing acknowledged is lost, nothing is half-applied`, async (t) => {
      const tenantId = await product.tenantIdOf("default");
      const run = Math.random().toString(36).slice(2, 8);
      let scim = scimClient(product.baseUrl, product.apiKey);
      /** Live users by userName, as the answers so far say they are. */
      const model = new Map<string, UserState>();
      const owned = Array.from({ length: workers }, () => new Set<string>());
      const acknowledged: Acknowledged[] = [];
      const groups: string[] = [];
      for (let i = 0; i < groupCount; i++) {
        const requestId = `crash-${run}-group-${i}`;
        const created = await scim.post(
          "/Groups",
          { schemas: [groupSchemaUrn], displayName: `Crash ${run} ${i}`, members: [] },
          { headers: { "X-Request-Id": requestId } },
        );
        assert.equal(created.status, 201);
        groups.push(created.body.id);
        acknowledged.push({ requestId, status: 201, resourceId: created.body.id });
      }

      for (let round = 1; round <= rounds; round++) {
        const unanswered: Unanswered[] = [];
        const unexpected: string[] = [];
        let answered = 0;
        let killed = false;
        let sent = 0;

        /** Sends one write; true while the worker should go on. */
        const write = async (
          worker: number,
          userName: string,
          send: (headers: Record<string, string>) => Promise<ScimResponse>,
          status: number,
          resourceIdOf: (response: ScimResponse) => string,
          ifApplied: UserState | undefined,
        ): Promise<boolean> => {
          const requestId = `crash-${run}-r${round}-w${worker}-${sent++}`;
          const response = await send({ "X-Request-Id": requestId }).catch(() => undefined);
          if (response?.status === status) {
            const resourceId = resourceIdOf(response);
            acknowledged.push({ requestId, status, resourceId });
            answered += 1;
            if (ifApplied === undefined) {
              model.delete(userName);
              owned[worker]!.delete(userName);
            } else {
              model.set(userName, { ...ifApplied, id: ifApplied.id ?? resourceId });
              owned[worker]!.add(userName);
            }
            return true;
          }
          // Refused before it reached the store (the tenant's gate): nothing happened; send another.
          if (response?.status === 429) return true;
          if (response === undefined || response.status >= 500) unanswered.push({ userName, requestId, ifApplied });
          else unexpected.push(`${requestId} ${userName}: ${response.status} ${JSON.stringify(response.body)}`);
          return false;
        };

        /** One client: writes of its own users (and their memberships) one after another until one fails. */
        const client = async (worker: number) => {
          for (let going = true; going && !killed; ) {
            const live = [...owned[worker]!];
            const roll = Math.random();
            if (live.length < 2 || roll < 0.15) {
              const userName = `crash-${run}-w${worker}-r${round}-${sent}@example.com`;
              const title = `created ${round}.${sent}`;
              going = await write(
                worker,
                userName,
                (headers) =>
                  scim.post(
                    "/Users",
                    { schemas: [userSchemaUrn], userName, name: { givenName: "Crash", familyName: `W${worker}` }, title, active: true },
                    { headers },
                  ),
                201,
                (response) => response.body.id,
                { title, active: true, groups: [] },
              );
              continue;
            }
            const userName = pick(live);
            const user = model.get(userName)!;
            const id = user.id!;
            if (roll < 0.35) {
              // Okta's profile push: the whole user, with a title no other write used.
              const title = `replaced ${round}.${sent}`;
              going = await write(
                worker,
                userName,
                (headers) =>
                  scim.put(
                    `/Users/${id}`,
                    {
                      schemas: [userSchemaUrn],
                      userName,
                      name: { givenName: "Crash", familyName: `W${worker}` },
                      title,
                      active: user.active,
                    },
                    { headers },
                  ),
                200,
                () => id,
                { ...user, title },
              );
            } else if (roll < 0.55) {
              // Okta's deactivation (and reactivation on reassignment).
              going = await write(
                worker,
                userName,
                (headers) =>
                  scim.patch(
                    `/Users/${id}`,
                    { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: !user.active } }] },
                    { headers },
                  ),
                200,
                () => id,
                { ...user, active: !user.active },
              );
            } else if (roll < 0.9) {
              // Okta's membership push, on groups every client shares: one member added or removed.
              const group = pick(groups);
              const member = user.groups.includes(group);
              const operation = member
                ? { op: "remove", path: `members[value eq "${id}"]` }
                : { op: "add", path: "members", value: [{ value: id }] };
              going = await write(
                worker,
                userName,
                (headers) => scim.patch(`/Groups/${group}`, { schemas: [patchOpUrn], Operations: [operation] }, { headers }),
                204,
                () => group,
                { ...user, groups: member ? user.groups.filter((other) => other !== group) : [...user.groups, group].sort() },
              );
            } else {
              going = await write(
                worker,
                userName,
                (headers) => scim.delete(`/Users/${id}`, { headers }),
                204,
                () => id,
                undefined,
              );
            }
          }
        };

        const started = performance.now();
        const load = Array.from({ length: workers }, (_, worker) => client(worker));
        for (const deadline = Date.now() + 30_000; answered < acknowledgedBeforeKill && Date.now() < deadline; )
          await new Promise((resolve) => setTimeout(resolve, 10));
        assert.ok(answered >= acknowledgedBeforeKill, `round ${round}: only ${answered} writes answered in 30 s`);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * killWindowMs));
        await product.stopDirectories("SIGKILL");
        killed = true;
        await Promise.all(load);
        const loadMs = performance.now() - started;
        // On fresh ports: another suite's service may have taken the killed directory's port meanwhile.
        const restartStarted = performance.now();
        await product.restartDirectories();
        const restartMs = performance.now() - restartStarted;
        scim = scimClient(product.baseUrl, product.apiKey);

        const problems = unexpected.map((answer) => `an answer the workload never gets: ${answer}`);
        const seen = await listUsers(scim);
        const database = await readTenantStore(product.databaseLocation, tenantId);
        const entries = new Map(database.entries.map((entry) => [entry.requestId, entry]));
        // Each unanswered write went one way or the other, wholly: the user as it was, or as the write
        // makes it, and its activity entry exactly when it committed.
        const pending = new Map(unanswered.map((write) => [write.userName, write]));
        let applied = 0;
        for (const userName of new Set([...model.keys(), ...seen.keys(), ...pending.keys()])) {
          const expected = model.get(userName);
          const actual = seen.get(userName);
          const write = pending.get(userName);
          const committed = write !== undefined && sameUser(write.ifApplied, actual) && !sameUser(expected, actual);
          if (!committed && !sameUser(expected, actual)) {
            problems.push(
              `${userName}: is ${JSON.stringify(actual)}, acknowledged as ${JSON.stringify(expected)}` +
                (write === undefined ? "" : `, or ${JSON.stringify(write.ifApplied)} if ${write.requestId} committed`),
            );
            continue;
          }
          if (write !== undefined && entries.has(write.requestId) !== committed)
            problems.push(
              `${write.requestId} (${userName}): ${committed ? "committed without" : "did not commit, yet has"} its activity entry`,
            );
          if (!committed) continue;
          applied += 1;
          const owner = Number(/-w(\d+)-/.exec(userName)?.[1]);
          if (actual === undefined) {
            model.delete(userName);
            owned[owner]!.delete(userName);
          } else {
            model.set(userName, actual);
            owned[owner]!.add(userName);
          }
        }
        for (const group of groups) {
          const response = await scim.get(`/Groups/${group}`);
          const members = ((response.body.members ?? []) as ScimJson[]).map((member) => member.value as string).sort();
          const expected = [...seen.values()].filter((user) => user.groups.includes(group)).map((user) => user.id as string);
          if (members.join() !== expected.sort().join())
            problems.push(`Group/${group} lists ${members.length} members; its members' users list it ${expected.length} times`);
        }
        for (const write of acknowledged) {
          const entry = entries.get(write.requestId);
          if (entry?.status !== write.status || entry.resourceId !== write.resourceId)
            problems.push(`${write.requestId}: answered ${write.status} for ${write.resourceId}, entry ${JSON.stringify(entry)}`);
        }
        problems.push(...storeProblems(database));
        t.diagnostic(
          `round ${round}: killed after ${Math.round(loadMs)} ms, restarted in ${Math.round(restartMs)} ms, checked in ${Math.round(performance.now() - restartStarted - restartMs)} ms, ${answered} writes acknowledged, ` +
            `${unanswered.length} unanswered (${applied} of them committed); ${model.size} users`,
        );
        assert.deepEqual(problems, [], `round ${round} on ${store}: ${problems.length} problems`);
      }
    });
  });
