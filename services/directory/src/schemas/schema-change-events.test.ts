// A tenant's schema changes as events of its change feed: one per applied change, in the same
// transaction and sequence as the data changes, none for what does not commit; on every store.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import { ServerCredentials, type Server } from "@grpc/grpc-js";
import { pino } from "pino";
import {
  ChangedResourceType,
  ChangeKind,
  ChangeService,
  ExtendedResourceType,
  SchemaAttributeSchema,
  SchemaAttributeType,
  SchemaExtensionSchema,
  UserSchema,
  type ChangeEvent,
  type SchemaAttribute,
} from "@scimgw/proto";
import { createClient, createTransport, RpcError } from "@scimgw/grpc";
import type { WriteCall } from "../activity/write-activity.js";
import type { Knex } from "knex";
import { changeEventFromRow } from "../changes/change-event-row.js";
import { createChangeStore } from "../changes/change-store.js";
import { createDirectoryServer } from "../create-directory-server.js";
import { bearer } from "../service-credentials/bearer.js";
import { createServiceCredentialStore } from "../service-credentials/service-credential-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { schemaChangedTo } from "../errors/directory-errors.js";
import { createSchemaStore, type SchemaStore } from "./schema-store.js";
import { readTenantResourceTypes } from "./read-tenant-resource-types.js";

// Spelled with capitals: the event carries the URN as registered, not as the store keys it.
const urn = "urn:Acme:scim:schemas:2.0:User";
const { STRING, INTEGER, COMPLEX } = SchemaAttributeType;

const attribute = (
  name: string,
  type: SchemaAttributeType,
  more: { subAttributes?: SchemaAttribute[]; description?: string } = {},
): SchemaAttribute => create(SchemaAttributeSchema, { ...more, name, type });

const extension = (attributes: SchemaAttribute[], more: { id?: string; description?: string } = {}) =>
  create(SchemaExtensionSchema, { id: urn, name: "AcmeUser", resourceType: ExtendedResourceType.USER, attributes, ...more });

const region = attribute("region", STRING);
const badge = (numberDescription = "") =>
  attribute("badge", COMPLEX, { subAttributes: [attribute("number", INTEGER, { description: numberDescription })] });

/** An event as the assertions compare it. */
const summary = (event: Pick<ChangeEvent, "seq" | "resourceType" | "resourceId" | "kind" | "version" | "changedAttributes">) => ({
  seq: Number(event.seq),
  type: ChangedResourceType[event.resourceType],
  id: event.resourceId,
  kind: ChangeKind[event.kind],
  version: Number(event.version),
  attributes: [...event.changedAttributes],
});

for (const storeUnderTest of storesUnderTest) {
  describe(`schema change events on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let schemas: SchemaStore;

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      schemas = createSchemaStore(db);
    });
    after(() => dispose());

    /**
     * A user write by the tenant's schemas as they are now, sent again when a schema change commits
     * first (SCHEMA_CHANGED), as the gateway does: the refused attempt rolls back and takes no number.
     */
    async function userWrite<T>(tenantId: string, write: (call: WriteCall) => Promise<T>): Promise<T> {
      for (;;) {
        const schema = await readTenantResourceTypes(db, tenantId);
        try {
          return await write(schema === undefined ? {} : { schema });
        } catch (error) {
          if (schemaChangedTo(error) === undefined) throw error;
        }
      }
    }
    const newTenant = async () => (await createTenantStore(db).create(`t${Math.random()}`)).id;
    const events = async (tenantId: string) =>
      (await createChangeStore(db).listAfter(tenantId, 0n, 1000)).map(changeEventFromRow).map(summary);
    const lastSeq = async (tenantId: string) => Number((await createChangeStore(db).sequenceOf(tenantId))?.last_change_seq);

    test("registering is CREATED and each change UPDATED, by URN, schema revision and the top-level attributes touched", async () => {
      const tenantId = await newTenant();
      await schemas.apply(tenantId, extension([region, badge()]));
      // region removed (no value held), badge's sub-attribute described, level added.
      await schemas.apply(tenantId, extension([badge("printed on the card"), attribute("level", INTEGER)]));
      // Only the extension's own description: an event, naming no attribute.
      await schemas.apply(tenantId, extension([badge("printed on the card"), attribute("level", INTEGER)], { description: "Acme's" }));
      const type = "SCHEMA_EXTENSION";
      assert.deepEqual(await events(tenantId), [
        { seq: 1, type, id: urn, kind: "CREATED", version: 1, attributes: ["region", "badge"] },
        { seq: 2, type, id: urn, kind: "UPDATED", version: 2, attributes: ["badge", "level", "region"] },
        { seq: 3, type, id: urn, kind: "UPDATED", version: 3, attributes: [] },
      ]);
    });

    test("validate_only, a refused change and one that changes nothing record no event and take no number", async () => {
      const tenantId = await newTenant();
      await schemas.apply(tenantId, extension([region]));
      await userWrite(tenantId, (call) =>
        createUserStore(db).create(
          tenantId,
          create(UserSchema, { userName: "ada@example.com", extensions: { [urn]: { region: "eu" } } }),
          call,
        ),
      );
      const before = await events(tenantId);
      assert.equal(before.length, 2);

      const checked = await schemas.apply(tenantId, extension([region, attribute("level", INTEGER)]), { validateOnly: true });
      assert.deepEqual(checked.changes, ['added attribute "level"'], "validate_only found a change it would record");
      await assert.rejects(schemas.apply(tenantId, extension([attribute("level", INTEGER)])), RpcError, "region holds a value");
      const unchanged = await schemas.apply(tenantId, extension([region]));
      assert.deepEqual(unchanged.changes, []);

      assert.deepEqual(await events(tenantId), before);
      assert.equal(await lastSeq(tenantId), 2);
    });

    test("schema events and user writes share one gap-free sequence, in commit order, also when they race", async () => {
      const tenantId = await newTenant();
      const users = createUserStore(db);
      const ada = await userWrite(tenantId, (call) => users.create(tenantId, create(UserSchema, { userName: "ada@example.com" }), call));
      await schemas.apply(tenantId, extension([region]));
      await userWrite(tenantId, (call) =>
        users.update(tenantId, ada.id, (current) => ({ ...current, extensions: { [urn]: { region: "eu" } } }), undefined, call),
      );
      await schemas.apply(tenantId, extension([region, attribute("level", INTEGER)]));
      assert.deepEqual(
        (await events(tenantId)).map((event) => [event.seq, event.type, event.kind, event.version]),
        [
          [1, "USER", "CREATED", 1],
          [2, "SCHEMA_EXTENSION", "CREATED", 1],
          [3, "USER", "UPDATED", 2],
          [4, "SCHEMA_EXTENSION", "UPDATED", 2],
        ],
      );

      const levels = ["level", "tier", "seats", "site", "room", "desk"];
      await Promise.all([
        ...levels.map((_, i) =>
          userWrite(tenantId, (call) => users.create(tenantId, create(UserSchema, { userName: `u${i}@example.com` }), call)),
        ),
        // Each apply adds one more attribute, whichever order they commit in: every one is a change.
        ...levels.map((_, i) => schemas.apply(tenantId, extension([region, ...levels.slice(0, i + 1).map((n) => attribute(n, INTEGER))]))),
      ]);
      const all = await events(tenantId);
      assert.deepEqual(
        all.map((event) => event.seq),
        all.map((_, index) => index + 1),
        "numbered 1, 2, 3, … without gaps",
      );
      assert.equal(await lastSeq(tenantId), all.length);
      const revisions = all.filter((event) => event.type === "SCHEMA_EXTENSION").map((event) => event.version);
      assert.deepEqual(
        revisions,
        revisions.map((_, index) => index + 1),
        "schema events carry revisions in sequence order",
      );
      assert.equal(revisions.at(-1), Number((await schemas.list(tenantId)).schemaRevision));
    });

    test("an extension URN of the longest length the registry takes is recorded as it is", async () => {
      const tenantId = await newTenant();
      const long = `urn:acme:${"x".repeat(512 - "urn:acme:".length - ":User".length)}:User`;
      assert.equal(long.length, 512);
      await schemas.apply(tenantId, extension([region], { id: long }));
      assert.deepEqual(
        (await events(tenantId)).map((event) => event.id),
        [long],
      );
    });

    describe("through WatchChanges", () => {
      let server: Server;
      let close = () => {};
      before(async () => {
        server = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
        const port = await new Promise<number>((resolve, reject) =>
          server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
        );
        const { secret } = await createServiceCredentialStore(db).issue("schema events test", "read-only", "all");
        const transport = createTransport(`127.0.0.1:${port}`, { metadata: bearer(secret) });
        close = () => {
          transport.close();
          server.forceShutdown();
        };
        watch = async (tenantId, count) => {
          const seen: ChangeEvent[] = [];
          for await (const response of createClient(ChangeService, transport).watchChanges({ tenantId, afterSeq: 0n })) {
            seen.push(response.event!);
            if (seen.length === count) break;
          }
          return seen;
        };
      });
      after(() => close());
      let watch: (tenantId: string, count: number) => Promise<ChangeEvent[]>;

      test("a follower receives the schema event between the data changes around it", async () => {
        const tenantId = await newTenant();
        const users = createUserStore(db);
        await userWrite(tenantId, (call) => users.create(tenantId, create(UserSchema, { userName: "ada@example.com" }), call));
        await schemas.apply(tenantId, extension([region, badge()]));
        await userWrite(tenantId, (call) =>
          users.create(tenantId, create(UserSchema, { userName: "bob@example.com", extensions: { [urn]: { region: "eu" } } }), call),
        );
        const received = (await watch(tenantId, 3)).map(summary);
        assert.deepEqual(
          received.map((event) => event.type),
          ["USER", "SCHEMA_EXTENSION", "USER"],
        );
        assert.deepEqual(received[1], {
          seq: 2,
          type: "SCHEMA_EXTENSION",
          id: urn,
          kind: "CREATED",
          version: 1,
          attributes: ["region", "badge"],
        });
      });
    });
  });
}
