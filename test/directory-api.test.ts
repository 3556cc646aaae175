// The directory's gRPC API as an internal service uses it: the real server over a real socket,
// driven through this package's typed client, on every store. Every RPC is called (the last test
// checks that against the generated descriptors) and every status the API promises is provoked.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import {
  createDirectoryServer,
  createOperatorStore,
  createServiceCredentialStore,
  createTenantStore,
  migrateToLatest,
  openDatabase,
  pruneChanges,
  userContent,
  type DatabaseLocation,
  type UserRow,
} from "@scimgw/directory";
import {
  ApiKeyService,
  EntitlementKind,
  EntitlementService,
  ChangeService,
  GroupKeyKind,
  GroupService,
  IdentityProvider,
  OperatorService,
  SetupLinkService,
  TenantService,
  PatchOperationType,
  SortOrder,
  UserKeyKind,
  UserSchema,
  UserService,
  type Filter,
  type User,
  ErrorReason,
} from "@scimgw/proto";
import { parseFilter, parsePatchRequest, resolveFilter, userResourceType } from "@scimgw/scim";
import { filterToProto, patchOperationsToProto } from "@scimgw/scim-proto";
import { storeKindsUnderTest, testPostgresUrl, uniqueSchemaName } from "@scimgw/test-stores";
import { ChangeKind, Code, createDirectoryClient, RpcError, type ChangeEvent, type DirectoryClient } from "@scimgw/directory-client";

type Database = ReturnType<typeof openDatabase>;

const userFilter = (text: string): Filter => filterToProto(resolveFilter(parseFilter(text), userResourceType));

/** Asserts a rejection with this gRPC code (and ErrorInfo reason, when given). */
function failsWith(code: Code, reason?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof RpcError, `expected an RpcError, got ${String(error)}`);
    assert.equal(Code[error.code], Code[code], error.message);
    if (reason !== undefined) assert.equal(ErrorReason[error.reason], reason, error.message);
    return true;
  };
}

/** Every RPC the tests call, by "Service/Method", to check that none was left out. */
const called = new Set<string>();

/** Wraps a service client so every call is recorded under the service's name. */
function recorded<T extends object>(serviceName: string, client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        called.add(`${serviceName}/${property}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function openStore(kind: "sqlite" | "postgres"): Promise<{ db: Database; dispose: () => Promise<void> }> {
  if (kind === "sqlite") {
    const folder = mkdtempSync(path.join(tmpdir(), "scimgw-client-api-"));
    const db = openDatabase({ kind: "sqlite", filename: path.join(folder, "directory.sqlite") });
    await migrateToLatest(db);
    return {
      db,
      dispose: async () => {
        await db.destroy();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  const location: DatabaseLocation = {
    kind: "postgres",
    url: testPostgresUrl,
    schema: uniqueSchemaName("client_api"),
    poolMax: 8,
    statementTimeoutMs: 30_000,
  };
  const db = openDatabase(location);
  await migrateToLatest(db);
  return {
    db,
    dispose: async () => {
      await db.raw("drop schema if exists ?? cascade", [location.schema]);
      await db.destroy();
    },
  };
}

async function newTenant(db: Database, name: string): Promise<string> {
  const id = randomUUID();
  await db("tenants").insert({ id, name, created_at: new Date().toISOString() });
  return id;
}

for (const store of await storeKindsUnderTest()) {
  describe(`the directory API through the typed client on ${store}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let server: Server;
    let address = "";
    let tenantId = "";
    /** The gateway's kind of caller: may write. */
    let writer: DirectoryClient;
    /** An internal service's kind of caller: reads only. */
    let reader: DirectoryClient;
    const clients: DirectoryClient[] = [];

    const connect = (serviceCredential: string, options: { defaultTimeoutMs?: number } = {}) => {
      const client = createDirectoryClient({ address, serviceCredential, ...options });
      clients.push(client);
      return {
        ...client,
        users: recorded("UserService", client.users),
        groups: recorded("GroupService", client.groups),
        apiKeys: recorded("ApiKeyService", client.apiKeys),
        tenants: recorded("TenantService", client.tenants),
        operators: recorded("OperatorService", client.operators),
        setupLinks: recorded("SetupLinkService", client.setupLinks),
        entitlements: recorded("EntitlementService", client.entitlements),
        watchChanges: (...args: Parameters<DirectoryClient["watchChanges"]>) => {
          called.add("ChangeService/watchChanges");
          return client.watchChanges(...args);
        },
      };
    };

    before(async () => {
      ({ db, dispose } = await openStore(store));
      tenantId = await newTenant(db, "acme");
      server = createDirectoryServer({ db, logger: pino({ level: "silent" }), credentialCacheMs: 0 });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      address = `127.0.0.1:${port}`;
      const credentials = createServiceCredentialStore(db);
      writer = connect((await credentials.issue("gateway", "read-write", "all")).secret);
      reader = connect((await credentials.issue("billing", "read-only", "all")).secret);
    });
    after(async () => {
      for (const client of clients) client.close();
      server.forceShutdown();
      await dispose();
    });

    test("users: create, get by each key, batch get, replace, patch, delete, with their failures", async () => {
      const create = (userName: string, externalId?: string) =>
        writer.users
          .createUser({ tenantId, user: { userName, ...(externalId ? { externalId } : {}), emails: [{ value: userName, primary: true }] } })
          .then((r) => r.user!);
      const alice = await create("alice@example.com", "okta-alice");
      const bob = await create("bob@example.com", "shared");
      const carol = await create("carol@example.com", "shared");

      assert.equal((await reader.users.getUser({ tenantId, id: alice.id })).user?.userName, "alice@example.com");
      assert.equal(
        (await reader.users.getUser({ tenantId, userName: "ALICE@Example.com" })).user?.id,
        alice.id,
        "userName is caseExact false",
      );
      assert.equal((await reader.users.getUser({ tenantId, externalId: "okta-alice" })).user?.id, alice.id);
      await assert.rejects(
        reader.users.getUser({ tenantId, externalId: "OKTA-ALICE" }),
        failsWith(Code.NOT_FOUND, "NOT_FOUND"),
        "externalId is caseExact",
      );
      await assert.rejects(
        reader.users.getUser({ tenantId, externalId: "shared" }),
        failsWith(Code.FAILED_PRECONDITION, "AMBIGUOUS_EXTERNAL_ID"),
      );
      await assert.rejects(
        reader.users.getUser({ tenantId, id: alice.id, userName: "alice@example.com" }),
        failsWith(Code.INVALID_ARGUMENT),
      );
      await assert.rejects(reader.users.getUser({ tenantId }), failsWith(Code.INVALID_ARGUMENT));
      await assert.rejects(
        reader.users.getUser({ tenantId: await newTenant(db, "other"), id: alice.id }),
        failsWith(Code.NOT_FOUND),
        "tenants do not see each other",
      );

      const byName = await reader.users.batchGetUsers({
        tenantId,
        keyKind: UserKeyKind.USER_NAME,
        keys: ["carol@example.com", "nobody@example.com", "ALICE@example.com", "alice@example.com"],
      });
      assert.deepEqual(
        byName.users.map((user) => user.id),
        [carol.id, alice.id],
      );
      assert.deepEqual(byName.missingKeys, ["nobody@example.com"]);
      const byExternalId = await reader.users.batchGetUsers({ tenantId, keyKind: UserKeyKind.EXTERNAL_ID, keys: ["shared"] });
      assert.deepEqual(byExternalId.users.map((user) => user.id).sort(), [bob.id, carol.id].sort());
      assert.deepEqual((await reader.users.batchGetUsers({ tenantId, keyKind: UserKeyKind.ID, keys: [bob.id, "missing"] })).missingKeys, [
        "missing",
      ]);
      await assert.rejects(
        reader.users.batchGetUsers({ tenantId, keyKind: UserKeyKind.ID, keys: Array.from({ length: 1001 }, (_, i) => `k${i}`) }),
        failsWith(Code.INVALID_ARGUMENT),
      );
      await assert.rejects(
        reader.users.batchGetUsers({ tenantId, keys: ["x"] }),
        failsWith(Code.INVALID_ARGUMENT),
        "the key kind is required",
      );

      await assert.rejects(create("ALICE@example.com"), failsWith(Code.ALREADY_EXISTS, "UNIQUENESS"));
      await assert.rejects(writer.users.createUser({ tenantId, user: { userName: "" } }), failsWith(Code.INVALID_ARGUMENT));

      const renamed = (
        await writer.users.replaceUser({ tenantId, user: { ...alice, displayName: "Alice A." }, expectedVersion: alice.meta!.version })
      ).user!;
      assert.equal(renamed.meta?.version, alice.meta!.version + 1n);
      await assert.rejects(
        writer.users.replaceUser({ tenantId, user: { ...alice, displayName: "stale" }, expectedVersion: alice.meta!.version }),
        failsWith(Code.FAILED_PRECONDITION, "VERSION_MISMATCH"),
      );
      await assert.rejects(writer.users.replaceUser({ tenantId, user: { ...alice, id: "no-such-user" } }), failsWith(Code.NOT_FOUND));

      const deactivated = await writer.users.patchUser({
        tenantId,
        id: bob.id,
        operations: [
          { type: PatchOperationType.REPLACE, path: { attribute: "active" }, value: { kind: { case: "boolValue", value: false } } },
        ],
      });
      assert.equal(deactivated.user?.active, false);
      await assert.rejects(
        writer.users.patchUser({
          tenantId,
          id: bob.id,
          operations: [
            {
              type: PatchOperationType.REPLACE,
              path: { attribute: "noSuchAttribute" },
              value: { kind: { case: "stringValue", value: "x" } },
            },
          ],
        }),
        failsWith(Code.INVALID_ARGUMENT),
      );
      await assert.rejects(
        writer.users.patchUser({
          tenantId,
          id: bob.id,
          operations: scimPatch({ op: "replace", path: "title", value: "Boss" }),
          expectedVersion: 1n,
        }),
        failsWith(Code.FAILED_PRECONDITION, "VERSION_MISMATCH"),
      );
      await assert.rejects(writer.users.patchUser({ tenantId, id: bob.id, operations: [] }), failsWith(Code.INVALID_ARGUMENT));

      await writer.users.deleteUser({ tenantId, id: carol.id });
      await assert.rejects(reader.users.getUser({ tenantId, id: carol.id }), failsWith(Code.NOT_FOUND));
      await assert.rejects(writer.users.deleteUser({ tenantId, id: carol.id }), failsWith(Code.NOT_FOUND));
    });

    test("listUsers with the filter AST, sorting, offset paging and cursor paging bound to its query", async () => {
      for (let i = 0; i < 7; i++)
        await writer.users.createUser({
          tenantId,
          user: { userName: `list${i}@example.com`, ...(i % 2 ? { externalId: `ext-${i}` } : {}) },
        });
      const filter = userFilter('userName sw "list"');
      const offset = await reader.users.listUsers({
        tenantId,
        filter,
        startIndex: 1n,
        count: 3,
        sortBy: { attribute: "userName" },
        sortOrder: SortOrder.DESCENDING,
      });
      assert.equal(offset.totalResults, 7n);
      assert.deepEqual(
        offset.users.map((user) => user.userName),
        ["list6@example.com", "list5@example.com", "list4@example.com"],
      );

      const walked: string[] = [];
      let pageToken = "";
      do {
        const page = await reader.users.listUsers({ tenantId, filter, count: 2, pageToken, sortBy: { attribute: "externalId" } });
        walked.push(...page.users.map((user) => user.userName));
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      // externalId ascending, unassigned last, ties in creation order.
      assert.deepEqual(walked, [
        "list1@example.com",
        "list3@example.com",
        "list5@example.com",
        "list0@example.com",
        "list2@example.com",
        "list4@example.com",
        "list6@example.com",
      ]);
      const first = await reader.users.listUsers({ tenantId, filter, count: 2, includeTotalResults: true });
      assert.equal(first.totalResults, 7n);

      await assert.rejects(
        reader.users.listUsers({ tenantId, filter: userFilter('userName sw "x"'), count: 2, pageToken: first.nextPageToken }),
        failsWith(Code.INVALID_ARGUMENT),
        "a token is bound to its filter",
      );
      await assert.rejects(
        reader.users.listUsers({ tenantId, filter, count: 2, pageToken: "bm90LWEtdG9rZW4" }),
        failsWith(Code.INVALID_ARGUMENT),
      );
      await assert.rejects(
        reader.users.listUsers({ tenantId, filter, startIndex: 2n, pageToken: first.nextPageToken }),
        failsWith(Code.INVALID_ARGUMENT),
      );
      await assert.rejects(
        reader.users.listUsers({ tenantId, count: 2, sortBy: { attribute: "title" } }),
        failsWith(Code.INVALID_ARGUMENT),
        "cursor paging names the sorts it supports",
      );
      await assert.rejects(
        reader.users.listUsers({
          tenantId,
          filter: { expression: { case: "attribute", value: { path: { attribute: "noSuchAttribute" } } } },
        }),
        failsWith(Code.INVALID_ARGUMENT),
      );
    });

    test("groups: create, get by each key, batch get, list, members paged, replace, patch, delete; a user's direct and indirect groups", async () => {
      const member = (await writer.users.createUser({ tenantId, user: { userName: "member@example.com" } })).user!;
      const others = await Promise.all(
        [0, 1, 2, 3, 4].map(async (i) => (await writer.users.createUser({ tenantId, user: { userName: `m${i}@example.com` } })).user!),
      );
      const engineers = (
        await writer.groups.createGroup({
          tenantId,
          group: {
            displayName: "Engineers",
            externalId: "okta-eng",
            members: [{ value: member.id }, ...others.map((o) => ({ value: o.id }))],
          },
        })
      ).group!;
      const everyone = (
        await writer.groups.createGroup({ tenantId, group: { displayName: "Everyone", members: [{ value: engineers.id }] } })
      ).group!;
      await assert.rejects(
        writer.groups.createGroup({ tenantId, group: { displayName: "ENGINEERS" } }),
        failsWith(Code.ALREADY_EXISTS, "UNIQUENESS"),
      );
      await assert.rejects(
        writer.groups.createGroup({ tenantId, group: { displayName: "Ghosts", members: [{ value: "no-such-member" }] } }),
        failsWith(Code.INVALID_ARGUMENT),
      );

      const got = await reader.groups.getGroup({ tenantId, displayName: "engineers" });
      assert.equal(got.group?.id, engineers.id);
      assert.equal(got.hasMembers, true);
      assert.equal((await reader.groups.getGroup({ tenantId, externalId: "okta-eng" })).group?.id, engineers.id);
      assert.equal((await reader.groups.getGroup({ tenantId, id: everyone.id })).group?.displayName, "Everyone");
      await assert.rejects(reader.groups.getGroup({ tenantId, id: "nope" }), failsWith(Code.NOT_FOUND));
      const batch = await reader.groups.batchGetGroups({
        tenantId,
        keyKind: GroupKeyKind.DISPLAY_NAME,
        keys: ["everyone", "Nobody", "ENGINEERS"],
      });
      assert.deepEqual(
        batch.groups.map((group) => group.id),
        [everyone.id, engineers.id],
      );
      assert.deepEqual(batch.missingKeys, ["Nobody"]);

      const listed = await reader.groups.listGroups({ tenantId, startIndex: 1n, count: 10, sortBy: { attribute: "displayName" } });
      assert.deepEqual(
        listed.groups.map((group) => group.displayName),
        ["Engineers", "Everyone"],
      );
      const firstPage = await reader.groups.listGroups({ tenantId, count: 1 });
      const secondPage = await reader.groups.listGroups({ tenantId, count: 1, pageToken: firstPage.nextPageToken });
      assert.deepEqual(
        [...firstPage.groups, ...secondPage.groups].map((group) => group.id),
        [engineers.id, everyone.id],
      );
      assert.equal(secondPage.nextPageToken, "");

      const memberIds: string[] = [];
      let afterMemberId = "";
      do {
        const page = await reader.groups.listGroupMembers({ tenantId, groupId: engineers.id, afterMemberId, limit: 2 });
        memberIds.push(...page.members.map((m) => m.value));
        afterMemberId = page.nextAfterMemberId;
      } while (afterMemberId !== "");
      assert.deepEqual(memberIds, [member.id, ...others.map((o) => o.id)].sort());
      await assert.rejects(reader.groups.listGroupMembers({ tenantId, groupId: "nope", limit: 2 }), failsWith(Code.NOT_FOUND));

      const direct = await reader.users.listUserGroups({ tenantId, userId: member.id });
      assert.deepEqual(
        direct.groups.map((g) => [g.displayName, g.direct]),
        [["Engineers", true]],
      );
      const all = await reader.users.listUserGroups({ tenantId, userId: member.id, includeIndirect: true });
      assert.deepEqual(
        all.groups.map((g) => [g.displayName, g.direct]),
        [
          ["Engineers", true],
          ["Everyone", false],
        ],
      );
      await assert.rejects(reader.users.listUserGroups({ tenantId, userId: "nope" }), failsWith(Code.NOT_FOUND));

      const patched = await writer.groups.patchGroup({
        tenantId,
        id: engineers.id,
        operations: scimPatch({ op: "remove", path: `members[value eq "${member.id}"]` }),
      });
      assert.equal(patched.group?.meta?.version, engineers.meta!.version + 1n);
      assert.deepEqual((await reader.users.listUserGroups({ tenantId, userId: member.id, includeIndirect: true })).groups, []);
      const replaced = await writer.groups.replaceGroup({
        tenantId,
        group: { id: everyone.id, displayName: "All staff", members: [{ value: member.id }] },
        expectedVersion: everyone.meta!.version,
      });
      assert.equal(replaced.group?.displayName, "All staff");
      await assert.rejects(
        writer.groups.replaceGroup({ tenantId, group: { id: everyone.id, displayName: "x" }, expectedVersion: everyone.meta!.version }),
        failsWith(Code.FAILED_PRECONDITION, "VERSION_MISMATCH"),
      );
      await writer.groups.deleteGroup({ tenantId, id: everyone.id });
      await assert.rejects(writer.groups.deleteGroup({ tenantId, id: everyone.id }), failsWith(Code.NOT_FOUND));
      assert.deepEqual((await reader.users.listUserGroups({ tenantId, userId: member.id })).groups, []);
    });

    test("verifyApiKey resolves a key's hash to its tenant; unknown keys are UNAUTHENTICATED, malformed hashes INVALID_ARGUMENT", async () => {
      const key = `scimgw_${randomBytes(32).toString("base64url")}`;
      const keySha256 = createHash("sha256").update(key).digest("hex");
      await db("api_keys").insert({
        tenant_id: tenantId,
        id: "k1",
        key_sha256: keySha256,
        label: "okta",
        created_at: new Date().toISOString(),
      });
      assert.deepEqual(
        { ...(await writer.apiKeys.verifyApiKey({ keySha256 })) },
        { ...(await writer.apiKeys.verifyApiKey({ keySha256 })), tenantId, keyId: "k1", keyLabel: "okta" },
      );
      await assert.rejects(writer.apiKeys.verifyApiKey({ keySha256: "0".repeat(64) }), failsWith(Code.UNAUTHENTICATED, "UNKNOWN_API_KEY"));
      await assert.rejects(writer.apiKeys.verifyApiKey({ keySha256: "not hex" }), failsWith(Code.INVALID_ARGUMENT));
    });

    test("credentials: missing or unknown is UNAUTHENTICATED, read-only writing is PERMISSION_DENIED and writes nothing", async () => {
      await assert.rejects(connect("").users.getUser({ tenantId, id: "x" }), failsWith(Code.UNAUTHENTICATED, "MISSING_SERVICE_CREDENTIAL"));
      await assert.rejects(
        connect("scimgw_svc_forged").users.getUser({ tenantId, id: "x" }),
        failsWith(Code.UNAUTHENTICATED, "UNKNOWN_SERVICE_CREDENTIAL"),
      );
      const before = Number((await db("users").count({ n: "*" }).first())?.n);
      await assert.rejects(
        reader.users.createUser({ tenantId, user: { userName: "sneaky@example.com" } }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      await assert.rejects(reader.groups.deleteGroup({ tenantId, id: "x" }), failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));
      await assert.rejects(
        reader.apiKeys.verifyApiKey({ keySha256: "0".repeat(64) }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      assert.equal(Number((await db("users").count({ n: "*" }).first())?.n), before);
      const unauthenticatedFeed = connect("").watchChanges(tenantId);
      await assert.rejects(
        unauthenticatedFeed.next(),
        failsWith(Code.UNAUTHENTICATED),
        "the feed gives up at once: a reconnect cannot fix a credential",
      );
    });

    test("the change feed: replays in order through the client; an expired cursor is OUT_OF_RANGE", async () => {
      const feedTenant = await newTenant(db, "feed");
      const user = (await writer.users.createUser({ tenantId: feedTenant, user: { userName: "fed@example.com" } })).user!;
      await writer.users.patchUser({
        tenantId: feedTenant,
        id: user.id,
        operations: [
          { type: PatchOperationType.REPLACE, path: { attribute: "active" }, value: { kind: { case: "boolValue", value: false } } },
        ],
      });
      const controller = new AbortController();
      const events: ChangeEvent[] = [];
      for await (const event of reader.watchChanges(feedTenant, { signal: controller.signal })) {
        events.push(event);
        if (events.length === 2) controller.abort();
      }
      assert.deepEqual(
        events.map((e) => [e.seq, e.kind, e.resourceId, e.version]),
        [
          [1n, ChangeKind.CREATED, user.id, 1n],
          [2n, ChangeKind.DEACTIVATED, user.id, 2n],
        ],
      );
      // Age the first event past a one-day retention window and prune it: cursor 0 is now too old.
      await db("change_events").where({ tenant_id: feedTenant, seq: 1 }).update({ occurred_at: "2000-01-01T00:00:00.000Z" });
      assert.equal(await pruneChanges(db, 1), 1);
      await assert.rejects(reader.watchChanges(feedTenant, { after: 0n }).next(), failsWith(Code.OUT_OF_RANGE));
      const resumed = reader.watchChanges(feedTenant, { after: 1n, signal: AbortSignal.timeout(5000) });
      assert.equal((await resumed.next()).value?.seq, 2n, "a cursor inside the window still resumes");
      await resumed.return(undefined);
    });

    test("deadlines, cancellation and an unreachable directory: DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE", async () => {
      await assert.rejects(
        reader.users.listUsers({ tenantId, startIndex: 1n, count: 1000 }, { timeoutMs: 1 }),
        failsWith(Code.DEADLINE_EXCEEDED),
      );
      const controller = new AbortController();
      const pending = reader.users.listUsers({ tenantId, startIndex: 1n, count: 1000 }, { signal: controller.signal });
      controller.abort();
      await assert.rejects(pending, failsWith(Code.CANCELLED));
      // A client's default deadline applies to calls that set none.
      const impatient = connect("x", { defaultTimeoutMs: 1 });
      await assert.rejects(impatient.users.getUser({ tenantId, id: "x" }), failsWith(Code.DEADLINE_EXCEEDED));
      const nowhere = createDirectoryClient({ address: "127.0.0.1:1", serviceCredential: "x", defaultTimeoutMs: 3000 });
      try {
        await assert.rejects(nowhere.users.getUser({ tenantId, id: "x" }), failsWith(Code.UNAVAILABLE));
      } finally {
        nowhere.close();
      }
      // The server is still healthy after the abandoned calls.
      assert.ok((await reader.users.listUsers({ tenantId, startIndex: 1n, count: 1 })).totalResults > 0n);
    });

    test("10,000 users paged by cursor while users are inserted, updated and deleted: none skipped, none repeated", async (t) => {
      const bigTenant = await newTenant(db, "big");
      // 11,000 seeded users, every 11th doomed to be deleted during the walks. Ids are random and all
      // share one creation instant, so the doomed are spread through both walks' orders: deleting
      // them removes rows before the walk's position, which is what makes offset paging skip.
      const seeded = await seedUsers(db, bigTenant, 11_000);
      const doomed = seeded.filter((_, i) => i % 11 === 0);
      const kept = seeded.filter((_, i) => i % 11 !== 0);
      let writing = true;
      const churned = { inserted: 0, deleted: 0, updated: 0 };
      const churn = (async () => {
        for (let i = 0; writing && i < doomed.length; i++) {
          // "zz…" sorts before every seeded name in the descending walk: inserted ahead of its position.
          await writer.users.createUser({ tenantId: bigTenant, user: { userName: `zz-concurrent${i}@example.com` } });
          churned.inserted++;
          await writer.users.deleteUser({ tenantId: bigTenant, id: doomed[(i * 7919) % doomed.length]! }).then(
            () => churned.deleted++,
            () => undefined,
          );
          // Updates change versions, not the sort keys the walks use.
          await writer.users.patchUser({
            tenantId: bigTenant,
            id: kept[(i * 104_729) % kept.length]!,
            operations: scimPatch({ op: "replace", path: "title", value: `t${i}` }),
          });
          churned.updated++;
        }
      })();
      try {
        for (const sort of [{}, { sortBy: { attribute: "userName" }, sortOrder: SortOrder.DESCENDING }]) {
          const seen = new Map<string, number>();
          let pageToken = "";
          let pages = 0;
          do {
            const page = await reader.users.listUsers({ tenantId: bigTenant, count: 250, pageToken, ...sort });
            for (const user of page.users) seen.set(user.id, (seen.get(user.id) ?? 0) + 1);
            pageToken = page.nextPageToken;
            pages++;
            // Let the writer in between pages, as a real walk would.
            await new Promise((resolve) => setTimeout(resolve, 5));
          } while (pageToken !== "");
          assert.deepEqual(
            [...seen].filter(([, times]) => times > 1),
            [],
            "no user is returned twice",
          );
          assert.deepEqual(
            kept.filter((id) => !seen.has(id)),
            [],
            "every user that existed throughout is returned",
          );
          t.diagnostic(
            `${"sortBy" in sort ? "userName descending" : "creation order"}: ${pages} pages, ${seen.size} users; writes so far ${JSON.stringify(churned)}`,
          );
        }
      } finally {
        writing = false;
        await churn;
      }
      assert.ok(churned.inserted > 20 && churned.deleted > 20, `the walks ran while users were written: ${JSON.stringify(churned)}`);
    });

    test("the console's calls: tenants, API keys, operator sessions and setup links, with the admin scope only", async () => {
      const credentials = createServiceCredentialStore(db);
      const admin = connect((await credentials.issue("console", "admin", "all")).secret);
      await assert.rejects(writer.tenants.listTenants({}), failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));
      await assert.rejects(writer.apiKeys.issueApiKey({ tenantId, label: "x" }), failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));

      const created = (await admin.tenants.createTenant({ name: "console-made" })).tenant;
      const id = created?.id ?? "";
      assert.equal((await admin.tenants.renameTenant({ tenantId: id, name: "console-renamed" })).tenant?.name, "console-renamed");
      assert.ok((await admin.tenants.suspendTenant({ tenantId: id })).tenant?.suspendedAt);
      assert.equal((await admin.tenants.resumeTenant({ tenantId: id })).tenant?.suspendedAt, undefined);
      const limited = await admin.tenants.setTenantRateLimit({ tenantId: id, rateLimit: { perSecond: 2, burst: 4 } });
      assert.equal(limited.tenant?.rateLimit?.burst, 4);
      assert.ok((await admin.tenants.listTenants({})).tenants.some((summary) => summary.tenant?.name === "console-renamed"));
      assert.equal((await admin.tenants.getTenant({ tenantId: id })).tenant?.health?.userCount, 0n);

      const issued = await admin.apiKeys.issueApiKey({ tenantId: id, label: "okta-prod" });
      const keySha256 = createHash("sha256").update(issued.key).digest("hex");
      assert.equal((await writer.apiKeys.verifyApiKey({ keySha256 })).tenantId, id, "the gateway accepts it at once");
      assert.deepEqual(
        (await admin.apiKeys.listApiKeys({ tenantId: id })).apiKeys.map((key) => key.label),
        ["okta-prod"],
      );
      assert.ok((await admin.apiKeys.revokeApiKey({ tenantId: id, keyId: issued.apiKey?.id ?? "" })).apiKey?.revokedAt);

      await createOperatorStore(db).add("ops@example.com", "correct horse battery");
      const signedIn = await admin.operators.startOperatorSession({
        email: "OPS@example.com",
        password: "correct horse battery",
        clientAddress: "127.0.0.1",
      });
      assert.equal(
        (await admin.operators.getOperatorSession({ sessionToken: signedIn.sessionToken })).session?.operator?.email,
        "ops@example.com",
      );
      await admin.operators.endOperatorSession({ sessionToken: signedIn.sessionToken });
      await assert.rejects(
        admin.operators.getOperatorSession({ sessionToken: signedIn.sessionToken }),
        failsWith(Code.UNAUTHENTICATED, "OPERATOR_SESSION_ENDED"),
      );

      const link = await admin.setupLinks.createSetupLink({ tenantId: id, createdBy: "ops@example.com" });
      assert.equal((await admin.setupLinks.openSetupLink({ token: link.token })).tenantName, "console-renamed");
      const setupKey = await admin.setupLinks.issueSetupApiKey({ token: link.token, identityProvider: IdentityProvider.OKTA });
      assert.equal(setupKey.apiKey?.label, `okta (setup link ${link.setupLink?.id})`);
      assert.deepEqual((await admin.setupLinks.listSetupActivity({ token: link.token })).entries, []);
      assert.equal((await admin.setupLinks.listSetupLinks({ tenantId: id })).setupLinks.length, 1);
      await admin.setupLinks.revokeSetupLink({ tenantId: id, setupLinkId: link.setupLink?.id ?? "" });
      await assert.rejects(admin.setupLinks.openSetupLink({ token: link.token }), failsWith(Code.UNAUTHENTICATED, "SETUP_LINK_REVOKED"));
    });

    test("entitlements: the catalog published, read and looked up; a reader cannot publish", async () => {
      const put = await writer.entitlements.putEntitlementType({
        tenantId,
        type: { name: "License", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Licenses", description: "Licenses" },
      });
      assert.equal(put.created, true);
      await assert.rejects(
        writer.entitlements.putEntitlementType({ tenantId, type: { name: "Seat", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Users" } }),
        failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"),
      );
      await writer.entitlements.putEntitlementType({ tenantId, type: { name: "Temp", kind: EntitlementKind.ROLE, endpoint: "/Temps" } });
      await assert.rejects(
        reader.entitlements.deleteEntitlementType({ tenantId, name: "Temp" }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      assert.equal((await writer.entitlements.deleteEntitlementType({ tenantId, name: "Temp" })).deletedEntries, 0n);
      const { entitlement } = await writer.entitlements.upsertEntitlement({
        tenantId,
        entitlement: { type: "License", id: "pro", displayName: "Pro", description: "Pro seats" },
      });
      assert.equal(entitlement?.meta?.version, 1n);
      await writer.entitlements.upsertEntitlement({ tenantId, entitlement: { type: "License", id: "gone", displayName: "Gone" } });
      await writer.entitlements.deleteEntitlement({ tenantId, type: "License", id: "gone" });
      await assert.rejects(
        reader.entitlements.upsertEntitlement({ tenantId, entitlement: { type: "License", id: "x", displayName: "X" } }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      await assert.rejects(
        reader.entitlements.putEntitlementType({ tenantId, type: { name: "X", kind: EntitlementKind.ROLE, endpoint: "/X" } }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      await assert.rejects(
        reader.entitlements.deleteEntitlement({ tenantId, type: "License", id: "pro" }),
        failsWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
      );
      assert.deepEqual(
        (await reader.entitlements.listEntitlementTypes({ tenantId })).types.map((type) => type.name),
        ["License"],
      );
      assert.equal((await reader.entitlements.getEntitlement({ tenantId, type: "license", id: "pro" })).entitlement?.displayName, "Pro");
      await assert.rejects(
        reader.entitlements.getEntitlement({ tenantId, type: "License", id: "gone" }),
        failsWith(Code.NOT_FOUND, "NOT_FOUND"),
      );
      const listed = await reader.entitlements.listEntitlements({ tenantId, type: "License", startIndex: 1n, count: 10 });
      assert.deepEqual(
        listed.entitlements.map((e) => e.id),
        ["pro"],
      );
      await assert.rejects(
        writer.users.createUser({
          tenantId,
          user: { userName: "no-gold@example.com", entitlements: [{ value: "gold", type: "License" }] },
        }),
        failsWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"),
      );
      const holder = (
        await writer.users.createUser({
          tenantId,
          user: { userName: "pro@example.com", entitlements: [{ value: "pro", type: "License" }] },
        })
      ).user!;
      const holders = await reader.entitlements.listUsersWithEntitlement({
        tenantId,
        kind: EntitlementKind.ENTITLEMENT,
        type: "License",
        value: "pro",
      });
      assert.deepEqual(
        holders.users.map((u) => u.id),
        [holder.id],
      );
    });

    test("every RPC of every service was called through the client", () => {
      const expected = [
        UserService,
        GroupService,
        ApiKeyService,
        TenantService,
        OperatorService,
        SetupLinkService,
        EntitlementService,
      ].flatMap((service) => service.methods.map((method) => `${service.name}/${method.localName}`));
      expected.push(...ChangeService.methods.map((method) => `ChangeService/${method.localName}`));
      assert.deepEqual(
        expected.filter((method) => !called.has(method)),
        [],
      );
    });
  });
}

/** PATCH operations as the gateway sends them: parsed from SCIM JSON by the shared core. */
function scimPatch(...operations: object[]) {
  return patchOperationsToProto(parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations }));
}

/** Rows written straight to the table in batches: creating 10,000 users by RPC would test nothing more. */
async function seedUsers(db: Database, tenantId: string, count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const ids: string[] = [];
  await db.transaction(async (trx) => {
    for (let start = 0; start < count; start += 1000) {
      const rows: UserRow[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const user: User = create(UserSchema, { userName: `seeded${String(i).padStart(5, "0")}@example.com` });
        const id = randomUUID();
        ids.push(id);
        // One creation instant for all: the walk's order then rests on the id tie-breaker alone.
        rows.push({ tenant_id: tenantId, id, ...userContent(user), password_hash: null, version: 1, created_at: now, last_modified: now });
      }
      await trx.batchInsert("users", rows, 250);
    }
  });
  // Rows written around the store: the tenant's kept counts are recounted from them.
  await createTenantStore(db).recountResources(tenantId);
  return ids;
}
