// Property tests of the filter grammar (RFC 7644 §3.4.2.2): parse, resolve against the schema, and
// evaluate in memory. Whatever text a client sends, the answer is a result or a 400 invalidFilter,
// never another exception. Quick in `pnpm test`, long in `pnpm fuzz` (CONTRIBUTING.md, Fuzzing).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { deeplyNestedFilterText, garbledFilterText, groupFilterText, fuzzParameters, userFilterText } from "@scimgw/test-fuzz";
import { ScimError } from "../errors/scim-error.js";
import type { ScimResource } from "../resource/json-value.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";
import { createFilterPredicate } from "./evaluate-filter.js";
import type { Filter } from "./filter-ast.js";
import { formatFilter } from "./format-filter.js";
import { parseFilter } from "./parse-filter.js";
import { resolveFilter } from "./resolve-filter.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const users: ScimResource[] = [
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
    id: "u1",
    userName: "bjensen@example.com",
    externalId: "701984",
    name: { givenName: "Barbara", familyName: "Jensen" },
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ],
    active: true,
    meta: { resourceType: "User", created: "2020-01-01T00:00:00Z", lastModified: "2026-05-11T10:00:00.5Z" },
    [enterprise]: { employeeNumber: "701984", manager: { value: "mgr-1" } },
  },
  { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: "u2", userName: "Straße@Example.COM", active: false, title: "𝔘ser" },
  { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: "u3", userName: "odd_50%@example.org", nickName: "" },
];

const groups: ScimResource[] = [
  {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    id: "g1",
    displayName: "Tour Guides",
    members: [{ value: "u1", type: "User" }],
  },
  { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], id: "g2", displayName: "" },
];

/** Runs `attempt`; a ScimError must be the 400 invalidFilter the grammar promises, and nothing else may escape. */
function onlyInvalidFilter<T>(attempt: () => T): T | undefined {
  try {
    return attempt();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    assert.equal(error.status, 400, error.message);
    assert.equal(error.scimType, "invalidFilter", error.message);
    return undefined;
  }
}

/** Parse, resolve, compile and run over every resource: the whole in-memory path of a filter. */
function evaluate(text: string, resourceType: ResourceTypeDefinition, resources: readonly ScimResource[]): boolean[] | undefined {
  return onlyInvalidFilter(() => {
    const predicate = createFilterPredicate(parseFilter(text), resourceType);
    return resources.map((resource) => predicate(resource));
  });
}

test("any filter over Users is a result or a 400 invalidFilter", () => {
  fc.assert(
    fc.property(fc.oneof(userFilterText, garbledFilterText), (text) => {
      evaluate(text, userResourceType, users);
    }),
    fuzzParameters(1500),
  );
});

test("any filter over Groups is a result or a 400 invalidFilter", () => {
  fc.assert(
    fc.property(fc.oneof(groupFilterText, garbledFilterText), (text) => {
      evaluate(text, groupResourceType, groups);
    }),
    fuzzParameters(600),
  );
});

test("any text at all is a result or a 400 invalidFilter", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
      evaluate(text, userResourceType, users);
    }),
    fuzzParameters(600),
  );
});

test("deep nesting is refused with a 400, never a stack overflow", () => {
  fc.assert(
    fc.property(deeplyNestedFilterText, (text) => {
      evaluate(text, userResourceType, users);
    }),
    fuzzParameters(100),
  );
});

/** A parsed filter or undefined, for properties about what does parse. */
function parsed(text: string): Filter | undefined {
  return onlyInvalidFilter(() => parseFilter(text));
}

/** The tree as JSON sees it: `-0` is written `0`, and is the same literal in every comparison. */
const asJson = (filter: Filter): unknown => JSON.parse(JSON.stringify(filter));

test("formatFilter gives text that parses back to the same tree", () => {
  fc.assert(
    fc.property(userFilterText, (text) => {
      const filter = parsed(text);
      if (filter === undefined) return;
      assert.deepEqual(asJson(parseFilter(formatFilter(filter))), asJson(filter));
    }),
    fuzzParameters(1000),
  );
});

test("resolving is idempotent: a resolved filter formats, parses and resolves to itself", () => {
  fc.assert(
    fc.property(userFilterText, (text) => {
      const resolved = onlyInvalidFilter(() => resolveFilter(parseFilter(text), userResourceType));
      if (resolved === undefined) return;
      assert.deepEqual(asJson(resolveFilter(parseFilter(formatFilter(resolved)), userResourceType)), asJson(resolved));
    }),
    fuzzParameters(1000),
  );
});

test("not, and, or and parentheses mean what boolean logic says on every resource", () => {
  fc.assert(
    fc.property(userFilterText, userFilterText, (a, b) => {
      const left = evaluate(a, userResourceType, users);
      const right = evaluate(b, userResourceType, users);
      if (left === undefined || right === undefined) return;
      assert.deepEqual(
        evaluate(`not (${a})`, userResourceType, users),
        left.map((x) => !x),
      );
      assert.deepEqual(
        evaluate(`(${a}) and (${b})`, userResourceType, users),
        left.map((x, i) => x && right[i]),
      );
      assert.deepEqual(
        evaluate(`(${a}) OR (${b})`, userResourceType, users),
        left.map((x, i) => x || right[i]),
      );
    }),
    fuzzParameters(500),
  );
});
