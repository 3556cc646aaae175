import { activityRowOf } from "../activity/activity-row.js";
import { createActivityStore } from "../activity/activity-store.js";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  EntitlementKind,
  EntitlementSchema,
  EntitlementTypeSchema,
  ExtendedResourceType,
  GroupSchema,
  SchemaAttributeType,
  SchemaAttributeUniqueness,
  SchemaExtensionSchema,
  ScimRequestSchema,
  type User,
  UserSchema,
} from "@scimgw/proto";
import { createCatalogStore } from "../entitlements/catalog-store.js";
import type { Knex } from "knex";
import { hashApiKey } from "../api-keys/api-key.js";
import { hashSecret } from "../secrets/secret.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { dialectOf, openDatabase } from "../database/open-database.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { createGroupStore } from "../groups/group-store.js";
import { createOperatorSessions } from "../operators/operator-sessions.js";
import { createOperatorStore } from "../operators/operator-store.js";
import { createSchemaStore } from "../schemas/schema-store.js";
import { createSetupLinkStore } from "../setup-links/setup-link-store.js";
import { copiedTables } from "./copied-tables.js";
import { copyStore, CopyStoreError } from "./copy-store.js";
import { digestTable } from "./table-digest.js";

/** What the fixture put in the source: enough to check the copy from the outside. */
interface FilledDirectory {
  tenantIds: string[];
  liveKeys: Array<{ key: string; tenantId: string; keyId: string }>;
  revokedKey: string;
  rows: Record<string, number>;
}

const givenNames = ["Ada", "Zoë", "Jürgen", "李小龍", "Σωκράτης", "Nguyễn", "Ólafur", "Łucja", "Ñandú 🙂"];

function everyAttribute(): MessageInitShape<typeof UserSchema> {
  const mvaFor = (value: string) => [
    { value, display: `${value} (display)`, type: "work", primary: true, ref: `https://example.com/${value}` },
  ];
  return {
    userName: "Every.Attribute@Example.com",
    externalId: "ext-every",
    name: {
      formatted: "Dr. Zoë Ångström-Łęcka III",
      familyName: "Ångström-Łęcka",
      givenName: "Zoë",
      middleName: "SS",
      honorificPrefix: "Dr.",
      honorificSuffix: "III",
    },
    displayName: "Zoë Ångström",
    nickName: "zo",
    profileUrl: "https://example.com/zoe",
    title: "Chief Ørnithologist",
    userType: "Employee",
    preferredLanguage: "sv-SE",
    locale: "sv-SE",
    timezone: "Europe/Stockholm",
    active: true,
    password: "correct horse battery staple",
    emails: [...mvaFor("zoe@example.com"), { value: "zoe@home.example", type: "home" }],
    phoneNumbers: mvaFor("+46 8 123 456"),
    ims: mvaFor("zoe@xmpp.example"),
    photos: mvaFor("https://example.com/zoe.jpg"),
    addresses: [
      {
        formatted: "Storgatan 1\n111 22 Stockholm",
        streetAddress: "Storgatan 1",
        locality: "Stockholm",
        region: "AB",
        postalCode: "111 22",
        country: "SE",
        type: "work",
        primary: true,
      },
    ],
    entitlements: mvaFor("gold"),
    roles: mvaFor("admin"),
    x509Certificates: mvaFor("MIIBszCCARygAwIBAgIJAO"),
    enterprise: {
      employeeNumber: "00042",
      costCenter: "CC-7",
      organization: "Örg",
      division: "R&D",
      department: "Birds",
      manager: { value: "mgr-1", ref: "../Users/mgr-1", displayName: "Boss" },
    },
    extensions: {
      "urn:example:params:scim:schemas:extension:badge:2.0:User": { badge: 7, nested: { on: true, tags: ["a", "ä"], none: null } },
    },
  };
}

/**
 * A realistic directory written through the real stores: three tenants (one without users), live
 * and revoked keys, a used key, 1,230 users with Unicode names, deactivated ones, edited ones
 * (versions 2 and 3), deleted ones, and one user with every attribute and a password.
 */
async function fillDirectory(db: Knex): Promise<FilledDirectory> {
  const tenants = createTenantStore(db);
  const keys = createApiKeyStore(db);
  const users = createUserStore(db);
  const tenantIds = [
    (await tenants.create("acme")).id,
    (await tenants.create("Ünïcode GmbH")).id,
    (await tenants.create("no users yet")).id,
  ];
  const liveKeys = [];
  for (const tenantId of tenantIds) {
    const { key, info } = await keys.issue(tenantId, `Okta for ${tenantId}`);
    liveKeys.push({ key, tenantId, keyId: info.id });
  }
  await keys.verify(hashApiKey(liveKeys[0]!.key)); // so that one key has a last_used_at
  const revoked = await keys.issue(tenantIds[0]!, "leaked");
  await keys.revoke(tenantIds[0]!, revoked.info.id);
  // Service credentials: a used one, an unused one and a revoked one.
  const credentials = createServiceCredentialStore(db);
  const gatewayCredential = await credentials.issue("gateway", "read-write", "all");
  await credentials.verify(hashSecret(gatewayCredential.secret));
  await credentials.issue("search", "read-only", "all");
  await credentials.revoke((await credentials.issue("leaked", "read-only", "all")).info.id);
  // And one granted a single tenant, so its grant is copied too.
  await credentials.issue("billing", "read-only", [tenantIds[1]!]);

  let userRows = 0;
  for (const [tenantId, count] of [
    [tenantIds[0]!, 700],
    [tenantIds[1]!, 530],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const given = givenNames[i % givenNames.length]!;
      const user = await users.create(
        tenantId,
        create(UserSchema, {
          userName: `${given}.${i}@example.com`,
          name: { givenName: given, familyName: `Family ${i}` },
          displayName: `${given} ${i}`,
          active: i % 9 !== 0,
          ...(i % 3 === 0 ? { externalId: `ext-${i}` } : {}),
          emails: [{ value: `user${i}@example.com`, type: "work", primary: true }],
          // Some hold entitlements and roles, so the holders index (user_assignments) has rows.
          ...(i % 7 === 0 ? { entitlements: [{ value: `Plan ${i % 3}`, type: "License" }], roles: [{ value: "Admin" }] } : {}),
        }),
        // Some writes serve a SCIM request, so their activity entries (with diffs) are copied too.
        i % 4 === 0
          ? { scimRequest: create(ScimRequestSchema, { requestId: `req-${i}`, keyLabel: "okta", method: "POST", path: "/Users" }) }
          : {},
      );
      userRows += 1;
      if (i % 10 === 0) await users.replace(tenantId, { ...user, title: `Title ${i}` });
      if (i % 20 === 0) await users.update(tenantId, user.id, (current) => ({ ...current, active: false, nickName: `nick ${i}` }));
      if (i % 97 === 1) {
        await users.delete(tenantId, user.id);
        userRows -= 1;
      }
    }
  }
  await users.create(tenantIds[1]!, create(UserSchema, everyAttribute()));
  userRows += 1;

  // Groups with members, nested, in both tenants with users; membership rows cross 100-row batches.
  const groups = createGroupStore(db);
  let groupRows = 0;
  let memberRows = 0;
  for (const tenantId of tenantIds.slice(0, 2)) {
    const memberIds = (await users.list(tenantId, undefined, 1, 300)).users.map((user) => user.id);
    const everyone = await groups.create(
      tenantId,
      create(GroupSchema, { displayName: "Everyone", externalId: "okta-00g1", members: memberIds.map((value) => ({ value })) }),
    );
    const nested = await groups.create(
      tenantId,
      create(GroupSchema, { displayName: "Ünïcode admins", members: [{ value: everyone.id }, { value: memberIds[0]! }] }),
    );
    await groups.create(tenantId, create(GroupSchema, { displayName: "empty" }));
    await groups.update(tenantId, nested.id, async (current) => ({ ...current, displayName: "Ünïcode admins (renamed)" }));
    groupRows += 3;
    memberRows += memberIds.length + 2;
  }
  // A catalog in two tenants (the same type name in both), with an entry updated and one deleted.
  const catalog = createCatalogStore(db);
  let entryRows = 0;
  for (const tenantId of tenantIds.slice(0, 2)) {
    await catalog.putType(
      tenantId,
      create(EntitlementTypeSchema, { name: "License", kind: EntitlementKind.ENTITLEMENT, endpoint: "/Licenses" }),
    );
    await catalog.putType(
      tenantId,
      create(EntitlementTypeSchema, { name: "Role", kind: EntitlementKind.ROLE, endpoint: "/Roles", description: "Ünïcode rôles" }),
    );
    for (let i = 0; i < 120; i++) {
      await catalog.upsert(
        tenantId,
        create(EntitlementSchema, {
          type: i % 2 === 0 ? "License" : "Role",
          id: `entry-${i}`,
          displayName: `Entry ${i}`,
          description: i % 3 === 0 ? "Ünïcode" : "",
        }),
      );
      entryRows += 1;
    }
    await catalog.upsert(tenantId, create(EntitlementSchema, { type: "License", id: "entry-0", displayName: "Entry 0 (renamed)" }));
    await catalog.deleteEntry(tenantId, "Role", "entry-1");
    entryRows -= 1;
  }
  // And the gateway's entries: reads and failures, in one batch crossing 100-row inserts.
  await createActivityStore(db).append(
    Array.from({ length: 250 }, (_, i) =>
      activityRowOf(tenantIds[i % 2]!, create(ScimRequestSchema, { requestId: `read-${i}`, method: "GET", path: "/Users" }), {
        resourceType: "User",
        resourceId: "",
        status: i % 5 === 0 ? 409 : 200,
        scimType: i % 5 === 0 ? "uniqueness" : "",
        detail: i % 5 === 0 ? "Ünïcode détail" : "",
        latencyMs: i / 7,
      }),
    ),
  );
  // Setup links: a live one and a revoked one.
  const setupLinks = createSetupLinkStore(db);
  await setupLinks.create(tenantIds[0]!, 0, "ops@example.com");
  await setupLinks.revoke(tenantIds[1]!, (await setupLinks.create(tenantIds[1]!, 3600_000, "ops@example.com")).link.id);
  // A tenant's schema extension, registered as SchemaService registers it (which also moves the revision).
  await createSchemaStore(db).apply(
    tenantIds[0]!,
    create(SchemaExtensionSchema, {
      id: "urn:acme:User",
      name: "Äcme",
      resourceType: ExtendedResourceType.USER,
      attributes: [
        { name: "region", type: SchemaAttributeType.STRING },
        { name: "badge", type: SchemaAttributeType.STRING, uniqueness: SchemaAttributeUniqueness.SERVER },
      ],
    }),
  );
  // A value of that attribute with uniqueness "server", as the user store keeps it.
  await db("unique_attribute_values").insert({
    tenant_id: tenantIds[0]!,
    resource_type: "User",
    attribute: "urn:acme:user:badge",
    value_key: "b-ä1",
    resource_id: "00000000-0000-4000-8000-000000000001",
  });
  // Console operators: one signed in (a session), and a failed sign-in still in its window.
  await createOperatorStore(db).add("ops@example.com", "correct horse battery");
  const sessions = createOperatorSessions(db, { sessionHours: 12 });
  await sessions.start("ops@example.com", "correct horse battery", "192.0.2.1");
  await sessions.start("ops@example.com", "wrong password", "192.0.2.1").catch(() => undefined);
  return {
    tenantIds,
    liveKeys,
    revokedKey: revoked.key,
    rows: {
      tenants: tenantIds.length,
      api_keys: liveKeys.length + 1,
      users: userRows,
      groups: groupRows,
      group_members: memberRows,
      // The entitlements and roles values the users above hold, each once.
      user_assignments: Number((await db("user_assignments").count({ n: "*" }).first())?.n),
      // Every write above left its event in the change log (one or more per write).
      change_events: Number((await db("change_events").count({ n: "*" }).first())?.n),
      activity_entries: Number((await db("activity_entries").count({ n: "*" }).first())?.n),
      service_credentials: 4,
      service_credential_tenants: 1,
      setup_links: 2,
      operators: 1,
      operator_sessions: 1,
      operator_sign_in_failures: 1,
      entitlement_types: 4,
      entitlements: entryRows,
      schema_extensions: 1,
      unique_attribute_values: 1,
    },
  };
}

async function rowCounts(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of copiedTables) counts[table.name] = Number((await db(table.name).count({ n: "*" }).first())?.n);
  return counts;
}

async function digests(db: Knex) {
  return Promise.all(copiedTables.map((table) => digestTable(db, table)));
}

async function everyUser(db: Knex, tenantId: string): Promise<User[]> {
  const all: User[] = [];
  for (let startIndex = 1; ; startIndex += 500) {
    const page = await createUserStore(db).list(tenantId, undefined, startIndex, 500);
    all.push(...page.users);
    if (page.users.length < 500) return all;
  }
}

async function tablesIn(db: Knex): Promise<string[]> {
  const rows: Array<{ name: string }> =
    dialectOf(db) === "postgres"
      ? (await db.raw("select table_name as name from information_schema.tables where table_schema = current_schema()")).rows
      : await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
  return rows
    .map((row) => row.name)
    .filter((name) => !name.startsWith("knex_migrations"))
    .sort();
}

for (const store of storesUnderTest) {
  test(`${store.name}: copiedTables lists every table the migrations create, with its key and its boolean, bigint and JSON columns`, async () => {
    const { db, dispose } = await store.open();
    try {
      assert.deepEqual(copiedTables.map((table) => table.name).sort(), await tablesIn(db));
      for (const table of copiedTables) {
        const columns = Object.entries(await db(table.name).columnInfo());
        const ofType = (...types: string[]) =>
          columns
            .filter(([, info]) => types.includes(info.type))
            .map(([name]) => name)
            .sort();
        assert.deepEqual(ofType("boolean"), [...table.booleanColumns].sort(), `${table.name} booleans`);
        assert.deepEqual(ofType("bigint", "integer"), [...table.integerColumns].sort(), `${table.name} integers`);
        // SQLite keeps JSON as plain text, so only PostgreSQL can tell which columns hold it.
        if (store.name === "postgres") assert.deepEqual(ofType("json", "jsonb"), [...table.jsonColumns].sort(), `${table.name} JSON`);
        if (store.name === "sqlite") {
          const keyColumns: Array<{ name: string; pk: number }> = await db.raw(
            "select name, pk from pragma_table_info(?) where pk > 0 order by pk",
            [table.name],
          );
          assert.deepEqual(
            keyColumns.map((column) => column.name),
            table.primaryKey,
            `${table.name} primary key`,
          );
        }
      }
    } finally {
      await dispose();
    }
  });
}

for (const from of storesUnderTest)
  describe(`copy-store from ${from.name}`, () => {
    let source: TemporaryDatabase;
    let filled: FilledDirectory;

    before(async () => {
      source = await from.open();
      filled = await fillDirectory(source.db);
    });
    after(() => source.dispose());

    for (const to of storesUnderTest)
      describe(`to ${to.name}`, () => {
        const openTargets: TemporaryDatabase[] = [];
        const openTarget = async (options?: { migrate?: boolean }) => {
          const target = await to.open(options);
          openTargets.push(target);
          return target;
        };
        after(() => Promise.all(openTargets.map((target) => target.dispose())));

        test("copies every row of every table in batches, then verifies counts and digests", async () => {
          // Unmigrated, as a freshly created PostgreSQL schema or SQLite file would be.
          const target = await openTarget({ migrate: false });
          const progress: Array<[string, number, number]> = [];
          const report = await copyStore(source.db, target.db, { batchSize: 100, onProgress: (...call) => void progress.push(call) });

          assert.deepEqual(
            report.tables.map(({ table, copied, sourceRows, targetRows }) => ({ table, copied, sourceRows, targetRows })),
            copiedTables.map(({ name }) => ({
              table: name,
              copied: filled.rows[name],
              sourceRows: filled.rows[name],
              targetRows: filled.rows[name],
            })),
          );
          assert.deepEqual(await digests(target.db), await digests(source.db));
          assert.deepEqual(await rowCounts(target.db), filled.rows);

          const userBatches = progress.filter(([table]) => table === "users");
          assert.equal(userBatches.length, Math.ceil(filled.rows.users! / 100), "users went across in batches of 100");
          assert.deepEqual(userBatches.at(-1), ["users", filled.rows.users, filled.rows.users]);
        });

        test("the copy reads back through the stores exactly as the source does, keys included", async () => {
          const target = await openTarget();
          await copyStore(source.db, target.db, { batchSize: 100 });

          assert.deepEqual(await createTenantStore(target.db).list(), await createTenantStore(source.db).list());
          const copiedUsers: User[] = [];
          for (const tenantId of filled.tenantIds) {
            assert.deepEqual(await createApiKeyStore(target.db).list(tenantId), await createApiKeyStore(source.db).list(tenantId));
            const users = await everyUser(target.db, tenantId);
            assert.deepEqual(users, await everyUser(source.db, tenantId));
            copiedUsers.push(...users);
          }
          assert.equal(copiedUsers.length, filled.rows.users);
          assert.ok(
            copiedUsers.some((user) => user.active === false),
            "deactivated users stay deactivated",
          );
          assert.ok(
            copiedUsers.some((user) => user.meta?.version === 3n),
            "versions are kept",
          );
          assert.equal(copiedUsers.find((user) => user.externalId === "ext-every")?.enterprise?.manager?.displayName, "Boss");

          const targetKeys = createApiKeyStore(target.db);
          for (const { key, tenantId, keyId } of filled.liveKeys) {
            const verified = await targetKeys.verify(hashApiKey(key));
            assert.deepEqual([verified?.status, verified?.key.tenantId, verified?.key.id], ["valid", tenantId, keyId]);
          }
          assert.equal((await targetKeys.verify(hashApiKey(filled.revokedKey)))?.status, "revoked", "a revoked key stays revoked");
        });

        test("refuses a target that already holds data, and leaves it as it was", async () => {
          const target = await openTarget();
          const tenant = await createTenantStore(target.db).create("already live");
          await createApiKeyStore(target.db).issue(tenant.id, "in use");
          const before = await digests(target.db);

          await assert.rejects(copyStore(source.db, target.db), (error: unknown) => {
            assert.ok(error instanceof CopyStoreError);
            assert.match(error.message, /not empty \(tenants, api_keys hold rows\)/);
            return true;
          });
          assert.deepEqual(await digests(target.db), before);
        });

        test("a failure in the middle leaves every table of the target empty", async () => {
          const target = await openTarget();
          const failure = new Error("injected after the first batch of users");
          const copy = copyStore(source.db, target.db, {
            batchSize: 100,
            onProgress(table, copied) {
              if (table === "users" && copied >= 100) throw failure;
            },
          });
          await assert.rejects(copy, (error: unknown) => error === failure);
          assert.deepEqual(await rowCounts(target.db), {
            tenants: 0,
            api_keys: 0,
            users: 0,
            user_assignments: 0,
            groups: 0,
            group_members: 0,
            change_events: 0,
            activity_entries: 0,
            service_credentials: 0,
            service_credential_tenants: 0,
            setup_links: 0,
            operators: 0,
            operator_sessions: 0,
            operator_sign_in_failures: 0,
            entitlement_types: 0,
            entitlements: 0,
            schema_extensions: 0,
            unique_attribute_values: 0,
          });
        });

        test("a source written to during the copy fails verification, and says so", async () => {
          const target = await openTarget();
          // A connection of its own, as a directory left running would have.
          const runningDirectory = openDatabase(source.location);
          const renamed = filled.tenantIds[2]!;
          try {
            const copy = copyStore(source.db, target.db, {
              async onProgress(table, copied) {
                // The same number of rows, one value changed: only the digest can tell.
                if (table === "users" && copied <= 500)
                  await runningDirectory("tenants").where({ id: renamed }).update({ name: "renamed mid-copy" });
              },
            });
            await assert.rejects(copy, (error: unknown) => {
              assert.ok(error instanceof CopyStoreError);
              assert.match(error.message, /committed but does not match its source/);
              const [, sourceDigest, targetDigest] =
                /tenants: source 3 rows \(digest (\w+)\), target 3 rows \(digest (\w+)\)/.exec(error.message) ?? [];
              assert.notEqual(sourceDigest, targetDigest);
              assert.doesNotMatch(error.message, /users:/);
              return true;
            });
          } finally {
            await runningDirectory("tenants").where({ id: renamed }).update({ name: "no users yet" });
            await runningDirectory.destroy();
          }
        });

        test("refuses a target that a newer directory migrated", async () => {
          const target = await openTarget();
          await target.db("knex_migrations").insert({ name: "9999-from-the-future", batch: 99, migration_time: new Date() });
          await assert.rejects(
            copyStore(source.db, target.db),
            /target database has migrations this version of the directory does not know \(9999-from-the-future\)/,
          );
          assert.deepEqual(await rowCounts(target.db), {
            tenants: 0,
            api_keys: 0,
            users: 0,
            user_assignments: 0,
            groups: 0,
            group_members: 0,
            change_events: 0,
            activity_entries: 0,
            service_credentials: 0,
            service_credential_tenants: 0,
            setup_links: 0,
            operators: 0,
            operator_sessions: 0,
            operator_sign_in_failures: 0,
            entitlement_types: 0,
            entitlements: 0,
            schema_extensions: 0,
            unique_attribute_values: 0,
          });
        });
      });
  });
