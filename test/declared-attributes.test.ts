// Every attribute /Schemas declares for Users (core, enterprise and the tenant's own extension) and
// Groups (core and the tenant's extension), with the common id, externalId and meta, filters, sorts
// and projects as its declaration says, through the real gateway and directory on every store
// (RFC 7643 §7: the declaration says what the server does). The list is read from /Schemas itself,
// with the tenant's key, so an attribute declared tomorrow, or registered by a tenant, is walked too.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createDirectoryClient, type DirectoryClient } from "@scimgw/directory-client";
import {
  attribute,
  commonAttributes,
  matchesFilter,
  parseFilter,
  resolveFilter,
  schemasAttribute,
  toComparableText,
  urn,
  type AttributeDefinition,
  type ResourceTypeDefinition,
} from "@scimgw/scim";
import { extensionToProto, resourceTypesWithExtensions, type ExtensionDefinition } from "@scimgw/scim-proto";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { scimClient, type ScimClient, type ScimJson } from "./support/scim-client.js";

/** A declared attribute or sub-attribute, as /Schemas describes it. */
interface Declared {
  /** The path as a client writes it: `name.givenName`, `urn:…:User:manager.value`. */
  path: string;
  /** The extension URN holding it, undefined for core and common attributes. */
  schema?: string;
  attribute: string;
  sub?: string;
  definition: ScimJson;
  /** Whether one resource holds at most one value of it (it and its parent are singular). */
  singular: boolean;
}

const walkUser = "urn:ietf:params:scim:schemas:extension:walk:2.0:User";
const walkGroup = "urn:ietf:params:scim:schemas:extension:walk:2.0:Group";

/** An attribute of each type and characteristic a tenant can declare, for its User and Group extensions alike. */
function walkAttributes(): AttributeDefinition[] {
  return [
    attribute("label", "string"),
    attribute("code", "string", { caseExact: true, uniqueness: "server" }),
    attribute("handle", "string", { uniqueness: "server" }),
    attribute("tier", "string", { canonicalValues: ["gold", "silver"] }),
    attribute("count", "integer"),
    attribute("ratio", "decimal"),
    attribute("flag", "boolean"),
    attribute("since", "dateTime"),
    attribute("homepage", "reference", { referenceTypes: ["external"] }),
    attribute("tags", "string", { multiValued: true }),
    attribute("score", "integer", { mutability: "readOnly" }),
    attribute("badge", "string", { returned: "always" }),
    attribute("note", "string", { returned: "request" }),
    attribute("secret", "string", { mutability: "writeOnly", returned: "never" }),
    attribute("owner", "complex", {
      subAttributes: [attribute("email", "string"), attribute("kind", "string", { caseExact: true })],
    }),
    attribute("sites", "complex", {
      multiValued: true,
      subAttributes: [attribute("value", "string"), attribute("primary", "boolean")],
    }),
  ];
}

const walkExtensions: ExtensionDefinition[] = [
  { resourceType: "User", required: false, schema: { id: walkUser, name: "WalkUser", description: "", attributes: walkAttributes() } },
  { resourceType: "Group", required: false, schema: { id: walkGroup, name: "WalkGroup", description: "", attributes: walkAttributes() } },
];

/**
 * What the server refuses, with a 400 saying why, instead of answering from data it does not
 * hold: values the gateway makes when rendering (URLs, the ETag, the resource type), the
 * member display read from each member, and the never-returned password. Anything else refused,
 * or any of these answered, fails the walk.
 */
const refusedFilters = new Set([
  "Users password",
  "Users groups.$ref",
  "Users meta.resourceType",
  "Users meta.location",
  "Users meta.version",
  "Groups members.display",
  "Groups members.$ref",
  "Groups meta.resourceType",
  "Groups meta.location",
  "Groups meta.version",
]);
const refusedSorts = new Set([
  "Users password",
  "Users meta.resourceType",
  "Users meta.location",
  "Users meta.version",
  "Groups meta.resourceType",
  "Groups meta.location",
  "Groups meta.version",
]);

/** Never-returned attributes (RFC 7643 §7) are refused in filters and sorts: answering would disclose them. */
const neverReturned = (attribute: Declared) => attribute.definition.returned === "never";

function declaredAttributes(schemas: ScimJson[], core: string, extensions: string[]): Declared[] {
  const declared: Declared[] = [];
  const walk = (attributes: ScimJson[], schema: string | undefined) => {
    for (const definition of attributes) {
      const prefix = schema === undefined ? "" : `${schema}:`;
      declared.push({
        path: `${prefix}${definition.name}`,
        ...(schema ? { schema } : {}),
        attribute: definition.name,
        definition,
        singular: !definition.multiValued,
      });
      for (const sub of definition.subAttributes ?? []) {
        declared.push({
          path: `${prefix}${definition.name}.${sub.name}`,
          ...(schema ? { schema } : {}),
          attribute: definition.name,
          sub: sub.name,
          definition: sub,
          singular: !definition.multiValued && !sub.multiValued,
        });
      }
    }
  };
  // id, externalId and meta are common to every resource (RFC 7643 §3.1), not in its schema; so is
  // `schemas` (RFC 7643 §3), which RFC 7644 §3.4.2.2 lets clients filter on.
  walk(JSON.parse(JSON.stringify([...commonAttributes, schemasAttribute])), undefined);
  walk(schemas.find((s) => s.id === core).attributes, undefined);
  for (const extension of extensions) walk(schemas.find((s) => s.id === extension).attributes, extension);
  return declared;
}

/** The values a resource's representation holds at a declared path (array elements spread). */
function valuesAt(resource: ScimJson, declared: Declared): unknown[] {
  const container = declared.schema === undefined ? resource : resource[declared.schema];
  const spread = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
  const values = spread(container?.[declared.attribute]);
  return declared.sub === undefined ? values : values.flatMap((element) => spread((element as ScimJson)?.[declared.sub as string]));
}

/**
 * A writable value of a declared attribute for variant "a" or "B": strings differ in letter case
 * first, so a caseExact attribute and a caseExact-false one sort the two differently.
 */
function sample(definition: ScimJson, variant: "a" | "B"): unknown {
  if (definition.mutability === "readOnly") return undefined;
  const one = (): unknown => {
    switch (definition.type) {
      case "complex": {
        const object: Record<string, unknown> = {};
        for (const sub of definition.subAttributes ?? []) {
          const value = sample(sub, variant);
          if (value !== undefined) object[sub.name] = value;
        }
        return object;
      }
      case "boolean":
        return variant === "a";
      case "binary":
        return variant === "a" ? "YWFh" : "QkJC";
      case "reference":
        return `https://example.com/${variant}-${definition.name}`;
      case "dateTime":
        return variant === "a" ? "2030-01-01T00:00:00Z" : "2020-01-01T00:00:00Z";
      case "integer":
      case "decimal":
        return variant === "a" ? 1 : 2;
      default:
        if (definition.canonicalValues?.length) return definition.canonicalValues[variant === "a" ? 0 : 1] ?? definition.canonicalValues[0];
        return `${variant}-${definition.name}`;
    }
  };
  return definition.multiValued ? [one()] : one();
}

function sampleResource(schemas: ScimJson[], core: string, extensions: string[], variant: "a" | "B"): ScimJson {
  const resource: ScimJson = { schemas: [core, ...extensions] };
  const fill = (target: ScimJson, attributes: ScimJson[]) => {
    for (const definition of attributes) {
      const value = sample(definition, variant);
      if (value !== undefined) target[definition.name] = value;
    }
  };
  fill(resource, schemas.find((s) => s.id === core).attributes);
  resource.externalId = `${variant}-externalId`;
  for (const extension of extensions) {
    resource[extension] = {};
    fill(resource[extension], schemas.find((s) => s.id === extension).attributes);
  }
  return resource;
}

/** The sort key of a representation's single value, per the declaration; undefined when unassigned. */
function sortKey(values: unknown[], definition: ScimJson): string | number | undefined {
  const [value] = values;
  if (value === undefined || value === "") return undefined;
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "number") return value;
  if (definition.type === "dateTime") return new Date(String(value)).toISOString();
  return toComparableText(String(value), definition.caseExact === true);
}

function literal(value: unknown): string {
  return JSON.stringify(value);
}

for (const store of await storeKindsUnderTest()) {
  describe(`every declared attribute filters, sorts and projects as /Schemas says on ${store}`, () => {
    let product: Product;
    let scim: ScimClient;
    /** Seeded resources in creation order, as the server represents them (with what it returns on request), per endpoint. */
    const seeded: Record<"Users" | "Groups", ScimJson[]> = { Users: [], Groups: [] };
    const declared: Record<"Users" | "Groups", Declared[]> = { Users: [], Groups: [] };
    const tenantTypes = resourceTypesWithExtensions(walkExtensions);
    const resourceTypes: Record<"Users" | "Groups", ResourceTypeDefinition> = { Users: tenantTypes.user, Groups: tenantTypes.group };
    let admin: DirectoryClient | undefined;

    before(async () => {
      // The walk sends a few hundred requests at once; the key's rate limit is not under test.
      const unlimited = { RATE_LIMIT_KEY_PER_SECOND: "100000", RATE_LIMIT_KEY_BURST: "100000" };
      product = await Product.start({
        store,
        gatewayEnv: { ...unlimited, RATE_LIMIT_TENANT_PER_SECOND: "100000", RATE_LIMIT_TENANT_BURST: "100000" },
      });
      // The tenant registers its extensions before its key's first request, so the gateway's first
      // view of its schemas already holds them.
      admin = createDirectoryClient({
        address: product.directoryAddresses[0] as string,
        serviceCredential: await product.issueServiceCredential("declared-attributes-e2e", "admin"),
      });
      const tenantId = await product.tenantIdOf("default");
      for (const extension of walkExtensions)
        await admin.schemas.applySchemaExtension({ tenantId, extension: extensionToProto(extension) });
      scim = scimClient(product.baseUrl, product.apiKey);
      const schemas = (await scim.get("/Schemas")).body.Resources as ScimJson[];
      for (const id of [walkUser, walkGroup])
        assert.ok(
          schemas.some((schema) => schema.id === id),
          `/Schemas serves the tenant's ${id}`,
        );
      declared.Users = declaredAttributes(schemas, urn.user, [urn.enterpriseUser, walkUser]);
      declared.Groups = declaredAttributes(schemas, urn.group, [walkGroup]);
      const created = async (endpoint: string, body: ScimJson) => {
        const response = await scim.post(endpoint, body);
        assert.equal(response.status, 201, JSON.stringify(response.body));
        return response.body.id as string;
      };
      // a and B hold a value of every writable attribute, differing; c holds only what is required.
      const userIds = [
        await created("/Users", sampleResource(schemas, urn.user, [urn.enterpriseUser, walkUser], "a")),
        await created("/Users", sampleResource(schemas, urn.user, [urn.enterpriseUser, walkUser], "B")),
        await created("/Users", { schemas: [urn.user], userName: "c-userName" }),
      ];
      // Group a holds user a; group B holds group a, so user a is in B indirectly (RFC 7643 §4.1.2).
      const groupA = await created("/Groups", {
        ...sampleResource(schemas, urn.group, [walkGroup], "a"),
        displayName: "a-Group",
        externalId: "a-externalId",
        members: [{ value: userIds[0] }],
      });
      const groupB = await created("/Groups", {
        ...sampleResource(schemas, urn.group, [walkGroup], "B"),
        displayName: "B-Group",
        externalId: "B-externalId",
        members: [{ value: groupA }],
      });
      const groupC = await created("/Groups", { schemas: [urn.group], displayName: "c-Group" });
      // Each as a GET shows it, with the attributes returned only on request asked for too.
      const represented = async (endpoint: "Users" | "Groups", id: string) => {
        const resource = (await scim.get(`/${endpoint}/${id}`)).body;
        const onRequest = declared[endpoint].filter((a) => a.definition.returned === "request" && a.sub === undefined);
        if (onRequest.length === 0) return resource;
        const asked = (await scim.get(`/${endpoint}/${id}?attributes=${encodeURIComponent(onRequest.map((a) => a.path).join(","))}`)).body;
        for (const attribute of onRequest) {
          const value = (attribute.schema === undefined ? asked : asked[attribute.schema])?.[attribute.attribute];
          if (value === undefined) continue;
          if (attribute.schema === undefined) resource[attribute.attribute] = value;
          else resource[attribute.schema] = { ...resource[attribute.schema], [attribute.attribute]: value };
        }
        return resource;
      };
      for (const id of userIds) seeded.Users.push(await represented("Users", id));
      for (const id of [groupA, groupB, groupC]) seeded.Groups.push(await represented("Groups", id));
    });
    after(async () => {
      admin?.close();
      await product.stop();
    });

    const ids = (body: ScimJson) => (body.Resources ?? []).map((resource: ScimJson) => resource.id as string);

    for (const endpoint of ["Users", "Groups"] as const) {
      test(`${endpoint}: pr and eq on each attribute match what the representations show`, async () => {
        const resourceType = resourceTypes[endpoint];
        const walked: string[] = [];
        for (const attribute of declared[endpoint]) {
          const simple = attribute.definition.type !== "complex";
          const [value] = valuesAt(seeded[endpoint][0], attribute);
          // `schemas` also by the walk extension's URN, which the last seeded resource does not carry.
          const byExtension = attribute.path === "schemas" ? `schemas eq "${endpoint === "Users" ? walkUser : walkGroup}"` : undefined;
          const filters = [
            `${attribute.path} pr`,
            ...(simple && value !== undefined ? [`${attribute.path} eq ${literal(value)}`] : []),
            ...(byExtension === undefined ? [] : [byExtension]),
          ];
          for (const text of filters) {
            const response = await scim.get(`/${endpoint}?count=100&filter=${encodeURIComponent(text)}`);
            if (refusedFilters.has(`${endpoint} ${attribute.path}`) || neverReturned(attribute)) {
              assert.equal(response.status, 400, `${text} is refused`);
              assert.equal(response.body.scimType, "invalidFilter", text);
              assert.ok(String(response.body.detail ?? "").length > 20, `${text}: the 400 says why (${response.body.detail})`);
              continue;
            }
            assert.equal(response.status, 200, `${text}: ${JSON.stringify(response.body)}`);
            for (const never of declared[endpoint].filter(neverReturned)) {
              for (const resource of response.body.Resources ?? []) {
                assert.deepEqual(valuesAt(resource, never), [], `${never.path} is in no answer (${text})`);
              }
            }
            const filter = resolveFilter(parseFilter(text), resourceType);
            const expected = seeded[endpoint].filter((resource) => matchesFilter(resource, filter, resourceType)).map((r) => r.id);
            assert.deepEqual(ids(response.body).sort(), expected.sort(), `${text} selects the resources whose representation matches`);
            if (value !== undefined) assert.ok(expected.includes(seeded[endpoint][0].id), `${text} matches the resource it was taken from`);
            if (text === byExtension) assert.ok(!expected.includes(seeded[endpoint].at(-1)?.id), `${text} skips the resource without it`);
            if (text.includes(" eq ") && attribute.definition.mutability !== "readOnly" && attribute.definition.type !== "boolean") {
              assert.ok(!expected.includes(seeded[endpoint][1].id), `${text} does not match the other seeded resource`);
            }
            walked.push(text);
          }
        }
        assert.ok(walked.length >= declared[endpoint].length, `${walked.length} filters walked`);
      });

      test(`${endpoint}: sortBy on each singular attribute orders as declared (caseExact), or is a 400 saying why`, async () => {
        for (const attribute of declared[endpoint].filter((a) => a.singular && a.definition.type !== "complex")) {
          for (const order of ["ascending", "descending"] as const) {
            const response = await scim.get(`/${endpoint}?count=100&sortBy=${encodeURIComponent(attribute.path)}&sortOrder=${order}`);
            if (refusedSorts.has(`${endpoint} ${attribute.path}`) || neverReturned(attribute)) {
              assert.equal(response.status, 400, `sortBy=${attribute.path} is refused`);
              assert.equal(response.body.scimType, "invalidValue", attribute.path);
              assert.ok(String(response.body.detail ?? "").length > 20, `sortBy=${attribute.path}: the 400 says why`);
              continue;
            }
            assert.equal(response.status, 200, `sortBy=${attribute.path}: ${JSON.stringify(response.body)}`);
            // RFC 7644 §3.4.2.3: unassigned values last ascending, first descending; ties keep creation order.
            const keyed = seeded[endpoint].map((resource, index) => ({
              id: resource.id,
              index,
              key: sortKey(valuesAt(resource, attribute), attribute.definition),
            }));
            const direction = order === "ascending" ? 1 : -1;
            keyed.sort((x, y) => {
              if (x.key === undefined || y.key === undefined) {
                if (x.key === y.key) return x.index - y.index;
                return (x.key === undefined ? 1 : -1) * direction;
              }
              if (x.key === y.key) return x.index - y.index;
              return (x.key < y.key ? -1 : 1) * direction;
            });
            assert.deepEqual(
              ids(response.body),
              keyed.map((k) => k.id),
              `sortBy=${attribute.path} ${order} (caseExact ${attribute.definition.caseExact})`,
            );
          }
        }
      });

      test(`${endpoint}: uniqueness "server" is enforced in any letter case where caseExact is false, "none" is not, extensions' too`, async () => {
        const [original] = seeded[endpoint];
        const core = endpoint === "Users" ? urn.user : urn.group;
        const required = endpoint === "Users" ? { userName: "d-userName" } : { displayName: "d-Group" };
        const topLevel = declared[endpoint].filter(
          (a) => a.sub === undefined && a.schema === undefined && a.definition.mutability !== "readOnly",
        );
        for (const attribute of topLevel.filter((a) => a.definition.uniqueness === "server")) {
          const value = String(original[attribute.attribute]);
          const copy = attribute.definition.caseExact ? value : value.toUpperCase();
          const response = await scim.post(`/${endpoint}`, { schemas: [core], ...required, [attribute.attribute]: copy });
          assert.equal(response.status, 409, `${attribute.path} ${JSON.stringify(copy)} is taken`);
          assert.equal(response.body.scimType, "uniqueness", attribute.path);
        }
        // The same of extension attributes, each sent under its URN; a caseExact one is taken only
        // in its own letter case.
        const inExtensions = declared[endpoint].filter(
          (a) => a.sub === undefined && a.schema !== undefined && a.definition.mutability !== "readOnly",
        );
        for (const attribute of inExtensions.filter((a) => a.definition.uniqueness === "server")) {
          const schema = attribute.schema as string;
          const value = String(original[schema][attribute.attribute]);
          const send = (copy: string) =>
            scim.post(`/${endpoint}`, { schemas: [core, schema], ...required, [schema]: { [attribute.attribute]: copy } });
          const response = await send(attribute.definition.caseExact ? value : value.toUpperCase());
          assert.equal(response.status, 409, `${attribute.path} is taken: ${JSON.stringify(response.body)}`);
          assert.equal(response.body.scimType, "uniqueness", attribute.path);
          if (attribute.definition.caseExact) {
            const other = await send(value.toUpperCase() === value ? value.toLowerCase() : value.toUpperCase());
            assert.equal(other.status, 201, `${attribute.path} in another letter case is another value: ${JSON.stringify(other.body)}`);
            assert.equal((await scim.delete(`/${endpoint}/${other.body.id}`)).status, 204);
          }
        }
        // Every writable simple value of the original again, but the unique ones: accepted.
        const twin: ScimJson = { schemas: [core], ...required };
        for (const attribute of topLevel.filter((a) => a.definition.uniqueness === "none" && a.definition.type !== "complex")) {
          if (original[attribute.attribute] !== undefined) twin[attribute.attribute] = original[attribute.attribute];
        }
        for (const attribute of inExtensions.filter((a) => a.definition.uniqueness === "none" && a.definition.type !== "complex")) {
          const schema = attribute.schema as string;
          const value = original[schema]?.[attribute.attribute];
          if (value === undefined) continue;
          if (!twin.schemas.includes(schema)) twin.schemas.push(schema);
          twin[schema] = { ...twin[schema], [attribute.attribute]: value };
        }
        const created = await scim.post(`/${endpoint}`, twin);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal((await scim.delete(`/${endpoint}/${created.body.id}`)).status, 204);
      });

      test(`${endpoint}: attributes= and excludedAttributes= return or omit each attribute per its "returned"`, async () => {
        const [resource] = seeded[endpoint];
        // A representation with nothing asked for: what an IdP's plain GET shows.
        const plain = (await scim.get(`/${endpoint}/${resource.id}`)).body;
        for (const attribute of declared[endpoint]) {
          const returned = attribute.definition.returned;
          const held = valuesAt(resource, attribute).length > 0;
          if (returned === "request") {
            assert.ok(held, `${attribute.path} (returned request) is held, so that leaving it out means something`);
            assert.deepEqual(valuesAt(plain, attribute), [], `${attribute.path} (returned request) is not in a plain GET`);
          }
          const asked = (await scim.get(`/${endpoint}/${resource.id}?attributes=${encodeURIComponent(attribute.path)}`)).body;
          assert.equal(
            valuesAt(asked, attribute).length > 0,
            returned !== "never" && held,
            `attributes=${attribute.path} (returned ${returned})`,
          );
          const excluded = (await scim.get(`/${endpoint}/${resource.id}?excludedAttributes=${encodeURIComponent(attribute.path)}`)).body;
          assert.equal(
            valuesAt(excluded, attribute).length > 0,
            returned === "always" && held,
            `excludedAttributes=${attribute.path} (returned ${returned})`,
          );
          if (returned === "never") assert.equal(held, false, `${attribute.path} is never in a representation`);
        }
      });
    }
  });
}
