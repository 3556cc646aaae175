import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { create } from "@bufbuild/protobuf";
import {
  ErrorReason,
  ExtendedResourceType,
  GroupSchema,
  SchemaAttributeMutability,
  SchemaAttributeReturned,
  SchemaAttributeSchema,
  SchemaAttributeType,
  SchemaAttributeUniqueness,
  SchemaExtensionSchema,
  UserSchema,
  type SchemaAttribute,
  type SchemaExtension,
} from "@scimgw/proto";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, RpcError } from "@scimgw/grpc";
import type { Knex } from "knex";
import { createGroupStore } from "../groups/group-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { createUserStore } from "../users/user-store.js";
import { createSchemaStore, maxExtensionsPerTenant, type SchemaStore } from "./schema-store.js";
import { createTenantSchemaCache } from "./tenant-schema-cache.js";

const urn = "urn:acme:scim:schemas:2.0:User";
const groupUrn = "urn:acme:scim:schemas:2.0:Group";
const { STRING, INTEGER, COMPLEX } = SchemaAttributeType;
type AttributeInit = SchemaAttribute;
type Characteristics = Partial<Omit<SchemaAttribute, "$typeName" | "$unknown" | "name" | "type">>;

const attribute = (name: string, type: SchemaAttributeType, more: Characteristics = {}): SchemaAttribute =>
  create(SchemaAttributeSchema, { ...more, name, type });

const extension = (attributes: SchemaAttribute[], more: Partial<Pick<SchemaExtension, "id" | "resourceType" | "required">> = {}) =>
  create(SchemaExtensionSchema, { id: urn, name: "AcmeUser", resourceType: ExtendedResourceType.USER, attributes, ...more });

/** The attributes the refusal tests start from, each of which one test changes. */
const baseline = [
  attribute("region", STRING),
  attribute("level", INTEGER),
  attribute("tags", STRING, { multiValued: true }),
  attribute("code", STRING),
  attribute("tier", STRING, { canonicalValues: ["gold", "silver"] }),
  attribute("pin", STRING, { mutability: SchemaAttributeMutability.WRITE_ONLY, returned: SchemaAttributeReturned.NEVER }),
  attribute("badge", COMPLEX, { multiValued: true, subAttributes: [attribute("number", INTEGER), attribute("site", STRING)] }),
  attribute("unused", STRING),
];

const refusedWith = (detail: string, attributes?: string) => (error: unknown) => {
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.code, Code.FAILED_PRECONDITION, error.message);
  assert.equal(error.reason, ErrorReason.INCOMPATIBLE_SCHEMA_CHANGE, error.message);
  assert.equal(error.message, `the change to "${urn}" is refused: ${detail}`);
  if (attributes !== undefined) assert.equal(error.metadata["attributes"], attributes);
  return true;
};

const rejectsWith = (code: Code, reason: ErrorReason, detail: RegExp) => (error: unknown) => {
  assert.ok(error instanceof RpcError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(ErrorReason[error.reason], ErrorReason[reason], error.message);
  assert.match(error.message, detail);
  return true;
};

for (const storeUnderTest of storesUnderTest) {
  describe(`schema extensions on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let schemas: SchemaStore;
    const revision = async (tenantId: string) => (await schemas.list(tenantId)).schemaRevision;
    /** A tenant with the baseline extension and one user holding `values` in it (none: no user). */
    async function tenantWith(values: JsonObject | undefined, attributes = baseline): Promise<string> {
      const tenantId = (await createTenantStore(db).create(`t${Math.random()}`)).id;
      await schemas.apply(tenantId, extension(attributes));
      if (values !== undefined) {
        await createUserStore(db).create(tenantId, create(UserSchema, { userName: `u${Math.random()}`, extensions: { [urn]: values } }));
      }
      return tenantId;
    }

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      schemas = createSchemaStore(db);
    });
    after(() => dispose());

    test("apply registers, get and list read back, and each change moves the revision by one", async () => {
      const tenantId = (await createTenantStore(db).create("acme")).id;
      assert.deepEqual(await schemas.list(tenantId), { extensions: [], schemaRevision: 0n });
      const first = await schemas.apply(tenantId, extension([attribute("region", STRING)]));
      assert.equal(first.created, true);
      assert.deepEqual(first.changes, [`registered extension "${urn}" of User`, 'added attribute "region"']);
      assert.equal(first.schemaRevision, 1n);
      // Left-out characteristics are stored as RFC 7643's defaults, explicitly.
      assert.equal(first.extension.attributes[0]?.mutability, SchemaAttributeMutability.READ_WRITE);
      assert.equal(first.extension.attributes[0]?.uniqueness, SchemaAttributeUniqueness.NONE);

      const second = await schemas.apply(tenantId, extension([attribute("region", STRING), attribute("level", INTEGER)]));
      assert.equal(second.created, false);
      assert.deepEqual(second.changes, ['added attribute "level"']);
      assert.equal(second.schemaRevision, 2n);
      assert.deepEqual(second.extension.created, first.extension.created);

      const unchanged = await schemas.apply(tenantId, extension([attribute("region", STRING), attribute("level", INTEGER)]));
      assert.deepEqual(unchanged.changes, []);
      assert.equal(unchanged.schemaRevision, 2n);
      assert.equal(await revision(tenantId), 2n, "a call that changes nothing leaves the revision");

      await schemas.apply(
        tenantId,
        create(SchemaExtensionSchema, {
          id: groupUrn,
          name: "AcmeGroup",
          resourceType: ExtendedResourceType.GROUP,
          attributes: [attribute("cost", STRING)],
        }),
      );
      const listed = await schemas.list(tenantId);
      assert.equal(listed.schemaRevision, 3n);
      assert.deepEqual(
        listed.extensions.map((e) => [e.id, e.resourceType]),
        [
          [groupUrn, ExtendedResourceType.GROUP],
          [urn, ExtendedResourceType.USER],
        ],
      );
      const got = await schemas.get(tenantId, urn.toUpperCase());
      assert.deepEqual(
        got.attributes.map((a) => a.name),
        ["region", "level"],
      );
      assert.ok(got.lastModified !== undefined && got.created !== undefined);
    });

    test("validate_only reports the change and stores nothing", async () => {
      const tenantId = await tenantWith(undefined);
      const checked = await schemas.apply(tenantId, extension([...baseline, attribute("extra", STRING)]), { validateOnly: true });
      assert.deepEqual(checked.changes, ['added attribute "extra"']);
      assert.equal(checked.schemaRevision, 2n, "the revision it would have");
      assert.equal(await revision(tenantId), 1n);
      assert.equal((await schemas.get(tenantId, urn)).attributes.length, baseline.length);
    });

    test("the cache learns the tenant's resource types when a change commits", async () => {
      const cache = createTenantSchemaCache(db, { revalidateAfterMs: 60_000, maxTenants: 10 });
      const tenantId = (await createTenantStore(db).create("cached")).id;
      assert.equal((await cache.get(tenantId)).revision, 0n);
      await createSchemaStore(db, cache).apply(tenantId, extension([attribute("region", STRING)]));
      const types = await cache.get(tenantId);
      assert.equal(types.revision, 1n);
      assert.deepEqual(
        types.user.extensions.map((e) => e.schema.id),
        ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", urn],
      );
    });

    test(`a tenant registers at most ${maxExtensionsPerTenant} extensions, and may still change them`, async () => {
      const tenantId = (await createTenantStore(db).create("crowded")).id;
      const numbered = (i: number) => extension([attribute("a", STRING)], { id: `${urn}${i}` });
      for (let i = 0; i < maxExtensionsPerTenant; i++) await schemas.apply(tenantId, numbered(i));
      await assert.rejects(
        schemas.apply(tenantId, numbered(maxExtensionsPerTenant)),
        rejectsWith(Code.INVALID_ARGUMENT, ErrorReason.INVALID_SCHEMA, new RegExp(`already has ${maxExtensionsPerTenant} extensions`)),
      );
      const changed = await schemas.apply(tenantId, extension([attribute("a", STRING), attribute("b", STRING)], { id: `${urn}0` }));
      assert.deepEqual(changed.changes, ['added attribute "b"']);
      assert.equal((await schemas.list(tenantId)).extensions.length, maxExtensionsPerTenant);
    });

    test("an unknown tenant or extension is NOT_FOUND; a malformed extension INVALID_SCHEMA", async () => {
      const tenantId = (await createTenantStore(db).create("plain")).id;
      await assert.rejects(
        schemas.apply("no-such-tenant", extension([attribute("a", STRING)])),
        rejectsWith(Code.NOT_FOUND, ErrorReason.NOT_FOUND, /tenant/),
      );
      await assert.rejects(schemas.list("no-such-tenant"), rejectsWith(Code.NOT_FOUND, ErrorReason.NOT_FOUND, /tenant/));
      await assert.rejects(schemas.get(tenantId, urn), rejectsWith(Code.NOT_FOUND, ErrorReason.NOT_FOUND, /schema extension/));
      await assert.rejects(
        schemas.apply(tenantId, extension([attribute("a", SchemaAttributeType.UNSPECIFIED)])),
        rejectsWith(Code.INVALID_ARGUMENT, ErrorReason.INVALID_SCHEMA, /the type of attribute "a" is required/),
      );
      await assert.rejects(
        schemas.apply(tenantId, extension([attribute("a", STRING)], { resourceType: ExtendedResourceType.UNSPECIFIED })),
        rejectsWith(Code.INVALID_ARGUMENT, ErrorReason.INVALID_SCHEMA, /resource_type is required/),
      );
      await assert.rejects(
        schemas.apply(
          tenantId,
          extension([
            attribute("1st", STRING),
            attribute("b", STRING, { uniqueness: SchemaAttributeUniqueness.SERVER, multiValued: true }),
          ]),
        ),
        rejectsWith(
          Code.INVALID_ARGUMENT,
          ErrorReason.INVALID_SCHEMA,
          /^the extension schema is invalid: attribute "1st": a name starts with a letter.*; attribute "b": uniqueness "server" is for single-valued attributes$/,
        ),
      );
      assert.equal(await revision(tenantId), 0n);
    });

    test("any change is allowed to attributes no resource holds a value of", async () => {
      const tenantId = await tenantWith({ region: "eu" });
      const changed = await schemas
        .apply(
          tenantId,
          extension([
            attribute("region", STRING),
            attribute("level", STRING, { multiValued: true, required: true, uniqueness: SchemaAttributeUniqueness.NONE }),
            attribute("code", STRING, { caseExact: true, uniqueness: SchemaAttributeUniqueness.SERVER }),
            attribute("tier", STRING, { canonicalValues: ["platinum"] }),
            attribute("pin", STRING),
            attribute("badge", COMPLEX, { multiValued: true, subAttributes: [attribute("number", STRING)] }),
          ]),
        )
        .catch((error: unknown) => error);
      // level becomes required, and the user holds the extension without it: that one still refused.
      assert.ok(changed instanceof RpcError);
      assert.equal(
        changed.message,
        `the change to "${urn}" is refused: attribute "level" cannot become required: resources hold the extension without it`,
      );
      const relaxed = await schemas.apply(
        tenantId,
        extension([
          attribute("region", STRING),
          attribute("level", STRING, { multiValued: true }),
          attribute("code", STRING, { caseExact: true, uniqueness: SchemaAttributeUniqueness.SERVER }),
          attribute("tier", STRING, { canonicalValues: ["platinum"] }),
          attribute("pin", STRING),
          attribute("badge", COMPLEX, { multiValued: true, subAttributes: [attribute("number", STRING)] }),
        ]),
      );
      assert.ok(relaxed.changes.includes('removed attribute "unused"'));
      assert.ok(relaxed.changes.includes('attribute "level": type integer → string'));
      assert.equal(await revision(tenantId), 2n);
    });

    // Each refused change: the extension as changed, the value a user holds, and the refusal's message.
    const refusals: [string, AttributeInit[], JsonObject, string, string][] = [
      [
        "removal",
        baseline.filter((a) => a.name !== "region"),
        { region: "eu" },
        'attribute "region" holds values, so it cannot be removed',
        "region",
      ],
      [
        "a type change",
        baseline.map((a) => (a.name === "level" ? attribute("level", STRING) : a)),
        { level: 3 },
        'attribute "level" holds values, so its type cannot change from integer to string',
        "level",
      ],
      [
        "a respelled name",
        baseline.map((a) => (a.name === "region" ? attribute("Region", STRING) : a)),
        { region: "eu" },
        'attribute "Region" holds values, so its name cannot be respelled "Region": the values are stored under "region"',
        "Region",
      ],
      [
        "multi-valued to single-valued",
        baseline.map((a) => (a.name === "tags" ? attribute("tags", STRING) : a)),
        { tags: ["a", "b"] },
        'attribute "tags" holds values, so it cannot become single-valued',
        "tags",
      ],
      [
        "a caseExact change",
        baseline.map((a) => (a.name === "code" ? attribute("code", STRING, { caseExact: true }) : a)),
        { code: "AbC" },
        'attribute "code" holds values, so caseExact cannot change: stored values are compared and folded as caseExact false',
        "code",
      ],
      [
        "uniqueness imposed",
        baseline.map((a) => (a.name === "code" ? attribute("code", STRING, { uniqueness: SchemaAttributeUniqueness.SERVER }) : a)),
        { code: "x" },
        'attribute "code" holds values, so uniqueness cannot become "server": stored values may repeat',
        "code",
      ],
      [
        "canonicalValues narrowed",
        baseline.map((a) => (a.name === "tier" ? attribute("tier", STRING, { canonicalValues: ["gold"] }) : a)),
        { tier: "gold" },
        'attribute "tier" holds values, so canonicalValues cannot drop ["silver"]: stored values may be among them',
        "tier",
      ],
      [
        "canonicalValues set",
        baseline.map((a) => (a.name === "region" ? attribute("region", STRING, { canonicalValues: ["eu"] }) : a)),
        { region: "eu" },
        'attribute "region" holds values, so canonicalValues cannot be set: stored values may be outside ["eu"]',
        "region",
      ],
      [
        "a value never returned made returned",
        baseline.map((a) => (a.name === "pin" ? attribute("pin", STRING) : a)),
        { pin: "1234" },
        'attribute "pin" holds values, so values sent as never returned cannot start being returned ("default")',
        "pin",
      ],
      [
        "an attribute made required",
        baseline.map((a) => (a.name === "code" ? attribute("code", STRING, { required: true }) : a)),
        { region: "eu" },
        'attribute "code" cannot become required: resources hold the extension without it',
        "code",
      ],
      [
        "a required attribute added",
        [...baseline, attribute("country", STRING, { required: true })],
        { region: "eu" },
        'attribute "country" cannot be added as required: resources hold the extension without it',
        "country",
      ],
      [
        "a sub-attribute retyped",
        baseline.map((a) =>
          a.name === "badge"
            ? attribute("badge", COMPLEX, { multiValued: true, subAttributes: [attribute("number", STRING), attribute("site", STRING)] })
            : a,
        ),
        { badge: [{ site: "x" }, { number: 7 }] },
        'attribute "badge.number" holds values, so its type cannot change from integer to string',
        "badge.number",
      ],
      [
        "a sub-attribute made required",
        baseline.map((a) =>
          a.name === "badge"
            ? attribute("badge", COMPLEX, {
                multiValued: true,
                subAttributes: [attribute("number", INTEGER), attribute("site", STRING, { required: true })],
              })
            : a,
        ),
        { badge: [{ site: "x" }, { number: 7 }] },
        'attribute "badge.site" cannot become required: resources hold "badge" without it',
        "badge.site",
      ],
    ];

    for (const [change, attributes, values, message, refusedAttribute] of refusals) {
      test(`refused: ${change} of an attribute a user holds a value of, and nothing changes`, async () => {
        const tenantId = await tenantWith(values);
        await assert.rejects(schemas.apply(tenantId, extension(attributes)), refusedWith(message, refusedAttribute));
        assert.equal(await revision(tenantId), 1n);
        assert.deepEqual(
          (await schemas.get(tenantId, urn)).attributes.map((a) => a.name),
          baseline.map((a) => a.name),
        );
        // validate_only refuses the same way.
        await assert.rejects(schemas.apply(tenantId, extension(attributes), { validateOnly: true }), refusedWith(message));
      });
    }

    test("refused whatever the data: another resource type, a respelled URN; every refusal is listed", async () => {
      const tenantId = await tenantWith(undefined);
      await assert.rejects(
        schemas.apply(tenantId, extension(baseline, { id: urn.toUpperCase(), resourceType: ExtendedResourceType.GROUP })),
        (error: unknown) => {
          assert.ok(error instanceof RpcError);
          assert.equal(error.reason, ErrorReason.INCOMPATIBLE_SCHEMA_CHANGE);
          assert.equal(
            error.message,
            `the change to "${urn.toUpperCase()}" is refused: the extension extends User and cannot move to Group: register another URN for Group; ` +
              `the extension's URN is spelled "${urn}", the key its values are stored under: spell it the same way`,
          );
          assert.equal(error.metadata["attributes"], urn.toUpperCase());
          return true;
        },
      );
    });

    test("refused: an extension made required while users exist without it; allowed before any exists", async () => {
      const tenantId = await tenantWith({ region: "eu" });
      await createUserStore(db).create(tenantId, create(UserSchema, { userName: "plain@example.com" }));
      await assert.rejects(
        schemas.apply(tenantId, extension(baseline, { required: true })),
        refusedWith("the extension cannot become required: resources of type User exist without it", urn),
      );
      const empty = (await createTenantStore(db).create(`empty${Math.random()}`)).id;
      assert.equal((await schemas.apply(empty, extension(baseline, { required: true }))).created, true);
    });

    test("a group's values are checked as a user's are", async () => {
      const tenantId = (await createTenantStore(db).create(`groups${Math.random()}`)).id;
      const groupExtension = (attributes: AttributeInit[]) =>
        create(SchemaExtensionSchema, { id: groupUrn, name: "AcmeGroup", resourceType: ExtendedResourceType.GROUP, attributes });
      await schemas.apply(tenantId, groupExtension([attribute("cost", STRING), attribute("owner", STRING)]));
      await createGroupStore(db).create(
        tenantId,
        create(GroupSchema, { displayName: "Sales", extensions: { [groupUrn]: { cost: "C1" } } }),
      );
      await assert.rejects(schemas.apply(tenantId, groupExtension([attribute("owner", STRING)])), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.message, `the change to "${groupUrn}" is refused: attribute "cost" holds values, so it cannot be removed`);
        return true;
      });
      assert.deepEqual((await schemas.apply(tenantId, groupExtension([attribute("cost", STRING)]))).changes, ['removed attribute "owner"']);
    });
  });
}
