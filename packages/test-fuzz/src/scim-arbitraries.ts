import fc from "fast-check";

/*
 * Generators of what identity providers send: SCIM filter text (RFC 7644 §3.4.2.2), PATCH bodies
 * (§3.5.2) and resource bodies. They are plain text and JSON, built from the grammar and mixed with
 * what no grammar allows; the suites decide what the SCIM core must make of them.
 */

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const coreUser = "urn:ietf:params:scim:schemas:core:2.0:User";

/** Attribute paths of a User, with the odd spellings clients use (any case, URN-qualified). */
const userPaths = [
  "userName",
  "externalId",
  "id",
  "displayName",
  "nickName",
  "title",
  "userType",
  "active",
  "name.givenName",
  "name.familyName",
  "name.formatted",
  "name",
  "emails",
  "emails.value",
  "emails.type",
  "emails.primary",
  "phoneNumbers.value",
  "phoneNumbers.type",
  "addresses.postalCode",
  "addresses.type",
  "groups",
  "groups.value",
  "groups.display",
  "groups.type",
  "groups.$ref",
  "roles.value",
  "x509Certificates.value",
  "meta.created",
  "meta.lastModified",
  "meta.resourceType",
  "schemas",
  "password",
  `${coreUser}:userName`,
  `${coreUser}:name.familyName`,
  `${enterprise}:employeeNumber`,
  `${enterprise}:department`,
  `${enterprise}:manager.value`,
  `${enterprise}:manager`,
  // Not attributes, or not well formed: the resolver must say so with a 400.
  "unknownAttribute",
  "name.nope",
  "urn:acme:x",
  `${enterprise}:nope`,
  "a.b.c",
  "$ref",
  "members.value",
  "displayName.x",
];

const groupPaths = ["displayName", "externalId", "id", "members", "members.value", "members.type", "members.display", "meta.created"];

/** Multi-valued (and one single-valued) complex attributes a value filter may follow. */
const valuePathParents = [
  "emails",
  "phoneNumbers",
  "addresses",
  "groups",
  "roles",
  "ims",
  "name",
  "members",
  "userName",
  `${enterprise}:manager`,
];
const subAttributes = ["value", "type", "primary", "display", "postalCode", "$ref", "givenName", "nope"];

/** Strings that appear in the seeded users, so comparisons sometimes match. */
export const seededFragments = [
  "bjensen@example.com",
  "BJENSEN",
  "example",
  "example.com",
  ".org",
  "Straße",
  "strasse",
  "STRASSE@EXAMPLE.COM",
  "50%",
  "_",
  "\\",
  "work",
  "home",
  "Jensen",
  "Tour Guide",
  "701984",
  "ABC",
  "mgr-1",
  "Ærø",
  "𝔘ser",
  "",
  "ı",
  "İ",
  "e\u0301",
  "é",
  "direct",
  "INDIRECT",
];

const randomCase = (word: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((char, index) => (upper[index] ? char.toUpperCase() : char.toLowerCase())).join(""));

/** Any case of a name: SCIM attribute names, operators and keywords are case-insensitive. */
const spelled = (names: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom(...names).chain(randomCase) });

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));

/** Text with what breaks naive code: any code point, lone surrogates, control characters, quotes. */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
      { weight: 1, arbitrary: loneSurrogate },
      { weight: 1, arbitrary: controlChar },
      { weight: 1, arbitrary: fc.constantFrom('"', "\\", "%", "_", "'", "\u0000", "\u2028", "\uFEFF") },
      { weight: 2, arbitrary: fc.constantFrom(...seededFragments) },
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(""));

const dateTimes = fc.oneof(
  fc
    .date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom(
    "2000-01-01T00:00:00Z",
    "2026-05-11T10:00:00.123456789+02:00",
    "2015-10-10T14:38:21.8617979-07:00",
    "2011-05-13T04:42:34",
    "2020-02-30T00:00:00Z",
    "2020-13-01T00:00:00Z",
    "1999-12-31T24:00:00Z",
    "2000-01-01",
    "not a date",
  ),
);

/** A compValue as text: JSON literals, dates, and the unquoted words Microsoft's tests send. */
const valueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((text) => JSON.stringify(text)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }).map((text) => JSON.stringify(text)) },
  { weight: 2, arbitrary: dateTimes.map((text) => JSON.stringify(text)) },
  { weight: 1, arbitrary: dateTimes },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc.constantFrom("0", "-0", "1e999", "-1e999", "1.5e-400", "00", "1.", ".5", "0x10", "9007199254740993", "701984"),
    ),
  },
  { weight: 2, arbitrary: spelled(["true", "false", "null"]) },
  { weight: 1, arbitrary: fc.constantFrom('"True"', '"false"', "Employee", "example.com", '"\\u00e9"', '"\\ud800"', '"\\x"') },
);

const comparisonOperators = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

const whitespace = fc.constantFrom(" ", " ", " ", "  ", "\t", "\n", "\u00a0");

interface FilterTextOptions {
  readonly paths: readonly string[];
  readonly depth: number;
}

function comparisonText(paths: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(spelled(paths), spelled(comparisonOperators), valueText).map(([p, o, v]) => `${p} ${o} ${v}`) },
    { weight: 1, arbitrary: fc.tuple(spelled(paths), spelled(["pr"])).map(([p, o]) => `${p} ${o}`) },
  );
}

function filterTextOf({ paths, depth }: FilterTextOptions): fc.Arbitrary<string> {
  const { node } = fc.letrec<{ node: string; inner: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", maxDepth: depth, withCrossShrink: true },
      { weight: 4, arbitrary: comparisonText(paths) },
      { weight: 2, arbitrary: fc.tuple(tie("node"), spelled(["and", "or"]), tie("node")).map(([l, k, r]) => `${l} ${k} ${r}`) },
      { weight: 1, arbitrary: fc.tuple(spelled(["not"]), fc.constantFrom("", " "), tie("node")).map(([k, s, f]) => `${k}${s}(${f})`) },
      { weight: 1, arbitrary: tie("node").map((f) => `(${f})`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            spelled(valuePathParents),
            tie("inner"),
            fc.option(fc.tuple(spelled(subAttributes), spelled(comparisonOperators), valueText)),
          )
          .map(([p, f, tail]) => `${p}[${f}]${tail === null ? "" : `.${tail[0]} ${tail[1]} ${tail[2]}`}`),
      },
    ),
    inner: fc.oneof(
      { depthSize: "small", maxDepth: 2 },
      { weight: 4, arbitrary: comparisonText(subAttributes) },
      { weight: 1, arbitrary: fc.tuple(tie("inner"), spelled(["and", "or"]), tie("inner")).map(([l, k, r]) => `${l} ${k} ${r}`) },
      { weight: 1, arbitrary: tie("inner").map((f) => `not (${f})`) },
    ),
  }));
  return node;
}

/** Filters built from the grammar, over User attributes: mostly valid, sometimes not (unknown names, wrong types). */
export const userFilterText: fc.Arbitrary<string> = filterTextOf({ paths: userPaths, depth: 4 });

/** The same over Group attributes. */
export const groupFilterText: fc.Arbitrary<string> = filterTextOf({ paths: groupPaths, depth: 3 });

/** Grammar tokens shuffled with garbage: unbalanced brackets, stray quotes, unicode, control characters. */
export const garbledFilterText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: spelled([...userPaths, ...comparisonOperators, "pr", "and", "or", "not"]) },
      { weight: 3, arbitrary: fc.constantFrom("(", ")", "[", "]", '"', ".", ":", "\\", "\\u", "\\ud83d", '""', '"\\"') },
      { weight: 2, arbitrary: valueText },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: userFilterText },
    ),
    { maxLength: 12 },
  )
  .chain((parts) =>
    fc.array(whitespace, { minLength: parts.length, maxLength: parts.length }).map((gaps) => parts.map((p, i) => p + gaps[i]).join("")),
  );

/** Parentheses, `not (...)` or value filters nested `depth` deep around a comparison. */
export const deeplyNestedFilterText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom("(", "not (", "emails[", "not("))
  .map(([depth, open]) => `${open.repeat(depth)}userName eq "x"${(open === "emails[" ? "]" : ")").repeat(depth)}`);

/** JSON that is usually a value of some User or Group attribute, and sometimes of none. */
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(true, false, "True", "False", "true", "TRUE", "yes", 0, 1, null, "", [], {}) },
  { weight: 1, arbitrary: dateTimes },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 2,
    arbitrary: fc.array(
      fc.record(
        {
          value: hostileString,
          type: fc.constantFrom("work", "home", "Work", "other", 7),
          primary: fc.constantFrom(true, false, "True", "false"),
          display: hostileString,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { givenName: hostileString, familyName: hostileString, formatted: fc.constantFrom(null, "F") },
      { requiredKeys: [] },
    ),
  },
);

/** PATCH paths: well formed, with filters and sub-attributes, member paths, and malformed ones. */
const patchPath: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: spelled([...userPaths, ...groupPaths, enterprise, "urn:acme:ext:1.0"]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        spelled(valuePathParents),
        fc.constantFrom(...subAttributes),
        spelled(["eq", "ne", "co", "pr"]),
        valueText,
        fc.option(fc.constantFrom(...subAttributes)),
      )
      .map(([p, s, o, v, tail]) => `${p}[${s} ${o}${o.toLowerCase() === "pr" ? "" : ` ${v}`}]${tail === null ? "" : `.${tail}`}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "members",
      'members[value eq "u1"]',
      'members[value eq "u2"].display',
      'emails[type eq "work"].value',
      "name.givenName",
    ),
  },
  { weight: 1, arbitrary: fc.oneof(garbledFilterText, fc.constantFrom(null, "", " ", 7, ["name"], "members[", 'emails[type eq "work"]]')) },
);

/** The keys of a path-less value object: attribute names, dotted (`name.givenName`), URN-qualified, or unknown. */
const valueObjectKey = spelled([
  "userName",
  "displayName",
  "active",
  "title",
  "name.givenName",
  "name.familyName",
  "emails",
  "members",
  "externalId",
  "id",
  "meta",
  "schemas",
  `${enterprise}:employeeNumber`,
  `${enterprise}:manager`,
  enterprise,
  "urn:acme:ext:1.0:badge",
  'emails[type eq "work"].value',
  "nope",
  "name.",
]);

const memberValue = fc.oneof(
  fc.array(fc.record({ value: fc.constantFrom("u1", "u2", "u3", "", 5), display: hostileString }, { requiredKeys: ["value"] }), {
    maxLength: 3,
  }),
  fc.record({ value: fc.constantFrom("u1", "u2") }),
);

/** One PatchOp operation, with Entra's capitalised op names and member names in any case. */
export const patchOperation: fc.Arbitrary<unknown> = fc
  .record(
    {
      op: fc.oneof(
        { weight: 6, arbitrary: spelled(["add", "replace", "remove"]) },
        { weight: 1, arbitrary: fc.constantFrom("Add", "Replace", "Remove", "move", "", null, 1) },
      ),
      path: patchPath,
      value: fc.oneof(attributeValue, memberValue, fc.dictionary(valueObjectKey, attributeValue, { maxKeys: 4 })),
    },
    { requiredKeys: ["op"] },
  )
  .chain((operation) =>
    // Member names in any case too ("Op", "Path", "Value"), as some clients send them.
    fc
      .array(fc.boolean(), { minLength: 3, maxLength: 3 })
      .map((capitalise) =>
        Object.fromEntries(
          Object.entries(operation).map(([key, value], index) => [
            capitalise[index] ? key.charAt(0).toUpperCase() + key.slice(1) : key,
            value,
          ]),
        ),
      ),
  );

/** A PatchOp body: mostly well formed, sometimes missing the schema, the operations, or its object shape. */
export const patchBody: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      schemas: fc.constantFrom(["urn:ietf:params:scim:api:messages:2.0:PatchOp"], ["URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP"]),
      Operations: fc.array(patchOperation, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ schemas: fc.jsonValue({ maxDepth: 1 }), operations: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
