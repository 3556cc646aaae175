// Property tests of the SCIM JSON <-> protobuf translation: what the gateway sends the directory
// (users, groups, filters, PATCH operations) comes back the same after crossing the wire as bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FilterSchema, GroupSchema, PatchOperationSchema, UserSchema } from "@scimgw/proto";
import {
  groupResourceType,
  normalizeResource,
  parseFilter,
  parsePatchRequest,
  resolveFilter,
  ScimError,
  userResourceType,
  type Filter,
  type PatchOperation,
  type ScimResource,
} from "@scimgw/scim";
import { fuzzParameters, garbledFilterText, hostileString, patchBody, userFilterText } from "@scimgw/test-fuzz";
import fc from "fast-check";
import { filterFromProto, filterToProto } from "./translate-filter.js";
import { groupFromProto, groupToProto } from "./translate-group.js";
import { patchOperationsFromProto, patchOperationsToProto } from "./translate-patch.js";
import { userFromProto, userToProto } from "./translate-user.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const custom = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

/** The value of `attempt`, or undefined when the SCIM core refuses the input with a ScimError. */
function unlessRefused<T>(attempt: () => T): T | undefined {
  try {
    return attempt();
  } catch (error) {
    if (error instanceof ScimError) return undefined;
    throw error;
  }
}

/**
 * JSON as it comes back from protobuf: only what JSON can say (no -0), and with each lone surrogate
 * as U+FFFD, because protobuf strings are UTF-8. Translation is not validation: the SCIM core
 * refuses lone surrogates in what it stores (checkString), and this pins what the wire itself does.
 */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/\\ud[89a-f][0-9a-f]{2}/g, "\ufffd"));

/** Crosses the wire: to protobuf bytes and back. */
const overTheWire = <T>(schema: Parameters<typeof toBinary>[0], message: T): T =>
  fromBinary(schema, toBinary(schema, message as never)) as T;

/**
 * A filter with each run of `and` or `or` as one list of operands: filterToProto sends runs as
 * balanced trees (both are associative), so the tree's shape may change on the wire, never its runs.
 */
function flattened(filter: Filter): unknown {
  switch (filter.kind) {
    case "and":
    case "or": {
      const operands: Filter[] = [];
      const collect = (node: Filter): void => {
        if (node.kind === filter.kind) {
          collect(node.left);
          collect(node.right);
        } else operands.push(node);
      };
      collect(filter);
      return { kind: filter.kind, operands: operands.map(flattened) };
    }
    case "not":
      return { kind: "not", operand: flattened(filter.operand) };
    case "valuePath":
      return { ...filter, filter: flattened(filter.filter) };
    default:
      return filter;
  }
}

test("a parsed filter survives filterToProto, the wire and filterFromProto (runs of and/or as lists)", () => {
  fc.assert(
    fc.property(fc.oneof(userFilterText, garbledFilterText), fc.boolean(), (text, resolve) => {
      const filter = unlessRefused(() => (resolve ? resolveFilter(parseFilter(text), userResourceType) : parseFilter(text)));
      if (filter === undefined) return;
      const back: Filter = filterFromProto(overTheWire(FilterSchema, filterToProto(filter)));
      assert.deepEqual(asJson(flattened(back)), asJson(flattened(filter)));
    }),
    fuzzParameters(1000),
  );
});

/** A multi-valued attribute's values as clients send them. */
const multiValue = fc.array(
  fc.record(
    { value: hostileString, type: fc.constantFrom("work", "home", "other"), primary: fc.boolean(), display: hostileString },
    { requiredKeys: ["value"] },
  ),
  { maxLength: 3 },
);

const userBody = fc.record(
  {
    userName: hostileString.filter((text) => text.trim() !== ""),
    externalId: hostileString,
    displayName: hostileString,
    nickName: hostileString,
    title: hostileString,
    active: fc.boolean(),
    name: fc.record({ givenName: hostileString, familyName: hostileString, formatted: hostileString }, { requiredKeys: [] }),
    emails: multiValue,
    phoneNumbers: multiValue,
    roles: multiValue,
    addresses: fc.array(fc.record({ type: hostileString, postalCode: hostileString, primary: fc.boolean() }, { requiredKeys: [] }), {
      maxLength: 2,
    }),
    [enterprise]: fc.record(
      { employeeNumber: hostileString, department: hostileString, manager: fc.record({ value: hostileString }) },
      { requiredKeys: [] },
    ),
    [custom]: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
  { requiredKeys: ["userName"] },
);

test("a normalised User survives userToProto, the wire and userFromProto", () => {
  fc.assert(
    fc.property(userBody, (body) => {
      const user = unlessRefused(() =>
        normalizeResource({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...body }, userResourceType, "create"),
      );
      if (user === undefined) return;
      assert.deepEqual(JSON.parse(JSON.stringify(userFromProto(overTheWire(UserSchema, userToProto(user))))), asJson(user));
    }),
    fuzzParameters(500),
  );
});

const groupBody = fc.record(
  {
    displayName: hostileString.filter((text) => text.trim() !== ""),
    externalId: hostileString,
    members: fc.array(fc.record({ value: fc.constantFrom("u1", "u2", "g9"), display: hostileString }, { requiredKeys: ["value"] }), {
      maxLength: 3,
    }),
  },
  { requiredKeys: ["displayName"] },
);

test("a normalised Group survives groupToProto, the wire and groupFromProto (members by id)", () => {
  fc.assert(
    fc.property(groupBody, (body) => {
      const group = unlessRefused(() =>
        normalizeResource({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], ...body }, groupResourceType, "create"),
      );
      if (group === undefined) return;
      const proto = overTheWire(GroupSchema, groupToProto(group));
      const back = groupFromProto(proto, { members: proto.members });
      assert.deepEqual(asJson(back), asJson(group.members === undefined ? { ...group, members: [] } : group));
    }),
    fuzzParameters(500),
  );
});

test("parsed PATCH operations survive patchOperationsToProto, the wire and patchOperationsFromProto", () => {
  fc.assert(
    fc.property(patchBody, (body) => {
      const operations = unlessRefused(() => parsePatchRequest(body));
      if (operations === undefined) return;
      const back: PatchOperation[] = patchOperationsFromProto(
        patchOperationsToProto(operations).map((operation) => overTheWire(PatchOperationSchema, operation)),
      );
      assert.deepEqual(asJson(back), asJson(operations));
    }),
    fuzzParameters(800),
  );
});

test("resources as the directory renders them round-trip too (a second pass changes nothing)", () => {
  fc.assert(
    fc.property(userBody, (body) => {
      const user = unlessRefused(() =>
        normalizeResource({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...body }, userResourceType, "create"),
      );
      if (user === undefined) return;
      const once: ScimResource = userFromProto(userToProto(user));
      assert.deepEqual(userFromProto(userToProto(once)), once);
    }),
    fuzzParameters(300),
  );
});
