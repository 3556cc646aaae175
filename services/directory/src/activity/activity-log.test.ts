import { test } from "node:test";
import assert from "node:assert/strict";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ActivityEntrySchema,
  GroupSchema,
  IdentityProvider,
  ListActivityRequestSchema,
  ListActivityResponseSchema,
  RecordActivityRequestSchema,
  RecordActivityResponseSchema,
  type ListActivityRequest,
  type RecordActivityRequest,
  ScimRequestSchema,
  StatusClass,
  UserSchema,
  type ScimRequest,
} from "@scimgw/proto";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { activityInstant, epochMsOfInstant } from "./activity-row.js";
import { createActivityService } from "./activity-service.js";
import { createActivityStore } from "./activity-store.js";
import { pruneActivity } from "./prune-activity.js";

let requests = 0;
function scimRequest(method: string, path: string, extra: MessageInitShape<typeof ScimRequestSchema> = {}): ScimRequest {
  requests += 1;
  return create(ScimRequestSchema, {
    requestId: `req-${requests}`,
    keyId: "key-1",
    keyLabel: "okta-prod",
    identityProvider: IdentityProvider.OKTA,
    userAgent: "Okta SCIM Client 1.0.0",
    method,
    path,
    query: "",
    startedAt: timestampFromMs(Date.now()),
    ...extra,
  });
}

/** The service's handlers with the context they ignore left out. */
function serviceOf(store: ReturnType<typeof createActivityStore>) {
  const service = createActivityService(store);
  return {
    listActivity: async (request: ListActivityRequest) =>
      create(ListActivityResponseSchema, await service.listActivity(request, undefined as never)),
    recordActivity: async (request: RecordActivityRequest) =>
      create(RecordActivityResponseSchema, await service.recordActivity(request, undefined as never)),
  };
}

const user = (userName: string, more: Record<string, unknown> = {}) => create(UserSchema, { userName, active: true, ...more });

test("instants keep microseconds and sort as text", () => {
  const instant = activityInstant(Date.UTC(2026, 0, 31, 12, 0, 0, 5) + 0.25);
  assert.equal(instant, "2026-01-31T12:00:00.005250Z");
  assert.equal(epochMsOfInstant(instant), Date.UTC(2026, 0, 31, 12, 0, 0, 5) + 0.25);
  assert.ok(activityInstant(1000.001) < activityInstant(1000.002));
});

for (const store of storesUnderTest) {
  test(`${store.name}: a write that serves a SCIM request records its entry in its own transaction; other writes record none`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenant = await createTenantStore(db).create("acme");
      const users = createUserStore(db);
      const activity = createActivityStore(db);
      const created = await users.create(tenant.id, user("ada@example.com", { password: "s3cret-Passw0rd" }), {
        scimRequest: scimRequest("POST", "/services/scim/v2/Users", { successStatus: 201 }),
      });
      await users.create(tenant.id, user("internal@example.com"));
      // A PATCH that changes nothing still has its entry; a failed write has none (the gateway records it).
      await users.update(tenant.id, created.id, (current) => current, undefined, { scimRequest: scimRequest("PATCH", "/Users/x") });
      await assert.rejects(
        users.create(tenant.id, user("ADA@example.com"), { scimRequest: scimRequest("POST", "/services/scim/v2/Users") }),
        /already taken/,
      );
      await users.update(tenant.id, created.id, (current) => ({ ...current, active: false }), undefined, {
        scimRequest: scimRequest("PATCH", `/services/scim/v2/Users/${created.id}`, { successStatus: 200 }),
      });
      await users.delete(tenant.id, created.id, undefined, { scimRequest: scimRequest("DELETE", `/services/scim/v2/Users/${created.id}`) });

      const { rows } = await activity.listLatestFirst({ tenantId: tenant.id }, 100);
      assert.deepEqual(
        rows.map((row) => [Number(row.seq), row.method, row.status, row.resource_type, row.resource_id]),
        [
          [4, "DELETE", 204, "User", created.id],
          [3, "PATCH", 200, "User", created.id],
          [2, "PATCH", 200, "User", created.id],
          [1, "POST", 201, "User", created.id],
        ],
      );
      const [deleted, deactivated, unchanged, creation] = rows;
      assert.equal(deleted?.diff, null, "a delete has no diff");
      assert.deepEqual(JSON.parse(deactivated?.diff ?? "null"), { attributes: [{ attribute: "active" }] });
      assert.deepEqual(JSON.parse(unchanged?.diff ?? "null"), {});
      const createdDiff = JSON.parse(creation?.diff ?? "null") as { attributes: Array<{ attribute: string; oldValue?: unknown }> };
      assert.ok(
        createdDiff.attributes.some((change) => change.attribute === "password"),
        "a password change is named",
      );
      assert.ok(
        createdDiff.attributes.every((change) => change.oldValue === undefined),
        "no values without ACTIVITY_RECORD_VALUES",
      );
      assert.ok(!JSON.stringify(rows).includes("s3cret"), "never the password");
      assert.equal(creation?.key_label, "okta-prod");
      assert.equal(creation?.identity_provider, "okta");
      assert.ok((creation?.latency_ms ?? -1) >= 0);
      assert.equal(await activity.latestSeq(tenant.id), 4n);
    } finally {
      await dispose();
    }
  });

  test(`${store.name}: with values recorded, a diff carries old and new values, never a password's, and group member ids`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenant = await createTenantStore(db).create("acme");
      const users = createUserStore(db, { recordValues: true });
      const groups = createGroupStore(db, { recordValues: true });
      const ada = await users.create(tenant.id, user("ada@example.com", { displayName: "Ada" }));
      await users.update(tenant.id, ada.id, (current) => ({ ...current, displayName: "Ada L.", password: "n3w-Passw0rd!" }), undefined, {
        scimRequest: scimRequest("PUT", `/Users/${ada.id}`),
      });
      const group = await groups.create(tenant.id, create(GroupSchema, { displayName: "Eng", members: [{ value: ada.id }] }), {
        scimRequest: scimRequest("POST", "/Groups", { successStatus: 201 }),
      });
      const entries = (await createActivityStore(db).listLatestFirst({ tenantId: tenant.id }, 10)).rows;
      const [groupEntry, userEntry] = entries;
      assert.deepEqual(JSON.parse(userEntry?.diff ?? "null"), {
        attributes: [{ attribute: "displayName", oldValue: "Ada", newValue: "Ada L." }, { attribute: "password" }],
      });
      assert.ok(!JSON.stringify(entries).includes("n3w-Passw0rd"));
      assert.deepEqual(JSON.parse(groupEntry?.diff ?? "null"), {
        attributes: [{ attribute: "displayName", newValue: "Eng" }],
        membersAdded: 1,
        addedMemberIds: [ada.id],
      });
      assert.equal(groupEntry?.resource_id, group.id);
    } finally {
      await dispose();
    }
  });

  test(`${store.name}: recorded batches number each tenant's entries without gaps; ListActivity pages latest first and filters`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenants = createTenantStore(db);
      const acme = await tenants.create("acme");
      const globex = await tenants.create("globex");
      const service = serviceOf(createActivityStore(db));
      const base = Date.UTC(2026, 10, 1, 9, 0, 0);
      const entry = (tenantId: string, minute: number, status: number, extra: Record<string, unknown> = {}) =>
        create(ActivityEntrySchema, {
          tenantId,
          request: scimRequest("GET", "/services/scim/v2/Users", { startedAt: timestampFromMs(base + minute * 60_000) }),
          status,
          ...extra,
        });
      const recorded = await service.recordActivity(
        create(RecordActivityRequestSchema, {
          entries: [
            entry(acme.id, 3, 200, { resourceType: "User", resourceId: "u-1" }),
            entry(globex.id, 1, 200),
            entry(acme.id, 1, 409, { scimType: "uniqueness", detail: "userName taken" }),
            entry(acme.id, 2, 401, {
              request: scimRequest("GET", "/Users", { keyId: "key-2", startedAt: timestampFromMs(base + 120_000) }),
            }),
            entry("00000000-0000-4000-8000-000000000000", 1, 200),
          ],
        }),
      );
      assert.equal(recorded.recorded, 4, "an unknown tenant's entry is dropped");

      const list = (fields: Record<string, unknown>) =>
        service.listActivity(create(ListActivityRequestSchema, { tenantId: acme.id, ...fields }));
      const first = await list({ pageSize: 2 });
      assert.deepEqual(
        first.entries.map((e) => [Number(e.seq), e.status]),
        [
          [1, 200],
          [3, 401],
        ],
        "latest first by the time the request started, whatever order they were recorded in",
      );
      assert.equal(first.latestSeq, 3n);
      const second = await list({ pageSize: 2, pageToken: first.nextPageToken });
      assert.deepEqual(
        second.entries.map((e) => [e.status, e.scimType, e.detail]),
        [[409, "uniqueness", "userName taken"]],
      );
      assert.equal(second.nextPageToken, "");
      await assert.rejects(list({ pageSize: 2, pageToken: first.nextPageToken, status: 409 }), /different listing/);

      const statuses = async (fields: Record<string, unknown>) => (await list(fields)).entries.map((e) => e.status);
      assert.deepEqual(await statuses({ statusClass: StatusClass.CLIENT_ERROR }), [401, 409]);
      assert.deepEqual(await statuses({ status: 409 }), [409]);
      assert.deepEqual(await statuses({ resourceId: "u-1" }), [200]);
      assert.deepEqual(await statuses({ keyId: "key-2" }), [401]);
      assert.deepEqual(await statuses({ since: timestampFromMs(base + 120_000), until: timestampFromMs(base + 180_000) }), [401]);
      // Following: what was recorded after a sequence number, in recording order.
      assert.deepEqual(
        (await list({ afterSeq: 1n })).entries.map((e) => Number(e.seq)),
        [2, 3],
      );
      assert.deepEqual((await list({ afterSeq: 3n })).entries, []);
      const globexEntries = await service.listActivity(create(ListActivityRequestSchema, { tenantId: globex.id }));
      assert.deepEqual(
        globexEntries.entries.map((e) => [e.tenantId, Number(e.seq)]),
        [[globex.id, 1]],
      );
      await assert.rejects(
        service.listActivity(create(ListActivityRequestSchema, { tenantId: "00000000-0000-4000-8000-000000000000" })),
        /not found/,
      );
    } finally {
      await dispose();
    }
  });

  test(`${store.name}: pruning removes entries past the age and the per-tenant count, and numbering goes on`, async () => {
    const { db, dispose } = await store.open();
    try {
      const tenant = await createTenantStore(db).create("acme");
      const activity = createActivityStore(db);
      const now = Date.UTC(2026, 10, 30);
      const day = 24 * 60 * 60 * 1000;
      const service = serviceOf(activity);
      const entries = [40, 31, 29, 10, 5, 1].map((daysAgo) =>
        create(ActivityEntrySchema, {
          tenantId: tenant.id,
          request: scimRequest("GET", "/Users", { startedAt: timestampFromMs(now - daysAgo * day) }),
          status: 200,
        }),
      );
      await service.recordActivity(create(RecordActivityRequestSchema, { entries }));
      const deleted = await pruneActivity(db, { retentionDays: 30, maxEntriesPerTenant: 3 }, { now });
      assert.equal(deleted, 3);
      const kept = await activity.listRecordedAfter({ tenantId: tenant.id }, 0n, 100);
      assert.deepEqual(
        kept.map((row) => Number(row.seq)),
        [4, 5, 6],
      );
      await service.recordActivity(create(RecordActivityRequestSchema, { entries: entries.slice(5) }));
      assert.equal(await activity.latestSeq(tenant.id), 7n);
    } finally {
      await dispose();
    }
  });
}
