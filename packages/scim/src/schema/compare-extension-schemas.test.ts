import { test } from "node:test";
import assert from "node:assert/strict";
import { compareExtensionSchemas, type ExtensionVersion } from "./compare-extension-schemas.js";
import { attribute, type AttributeDefinition } from "./schema-definition.js";

const id = "urn:acme:scim:schemas:2.0:User";

const version = (attributes: AttributeDefinition[], more: Partial<ExtensionVersion> = {}): ExtensionVersion => ({
  resourceType: "User",
  required: false,
  schema: { id, name: "AcmeUser", description: "", attributes },
  ...more,
});

const region = attribute("region", "string");
const badge = attribute("badge", "complex", { multiValued: true, subAttributes: [attribute("number", "integer")] });

/** A refusal as the directory reports it: when it applies, the attribute, the stored path and the message. */
const ifData = (when: "holds" | "lacks", path: string, message: string) => `${when} ${path}: ${message}`;

// Each row: previous and next version; the changes; the refusals whatever the data; the refusals if the data says so.
const rows: [string, ExtensionVersion | undefined, ExtensionVersion, string[], string[], string[]][] = [
  ["a new extension", undefined, version([region]), [`registered extension "${id}" of User`, 'added attribute "region"'], [], []],
  [
    "a new required extension, with a required attribute",
    undefined,
    version([attribute("tier", "string", { required: true })], { required: true }),
    [`registered extension "${id}" of User (required)`, 'added attribute "tier"'],
    [],
    [
      ifData("lacks", "", "the extension cannot become required: resources of type User exist without it"),
      ifData("lacks", "tier", 'attribute "tier" cannot be added as required: resources hold the extension without it'),
    ],
  ],
  ["nothing changed", version([region, badge]), version([region, badge]), [], [], []],
  [
    "only a sub-attribute's description changed, beside an untouched attribute",
    version([region, badge]),
    version([
      region,
      attribute("badge", "complex", { multiValued: true, subAttributes: [attribute("number", "integer", { description: "printed" })] }),
    ]),
    ['attribute "badge.number": description changed'],
    [],
    [],
  ],
  [
    "compatible changes only",
    version([attribute("region", "string", { required: true, uniqueness: "server", canonicalValues: ["eu"], mutability: "immutable" })], {
      required: true,
    }),
    {
      resourceType: "User",
      required: false,
      schema: {
        id,
        name: "Acme",
        description: "more",
        attributes: [
          attribute("region", "string", {
            description: "where",
            canonicalValues: ["eu", "us"],
            mutability: "readWrite",
            returned: "request",
          }),
          attribute("site", "reference", { referenceTypes: ["external"] }),
        ],
      },
    },
    [
      'name "AcmeUser" → "Acme"',
      "description changed",
      "required true → false",
      'attribute "region": required true → false',
      'attribute "region": mutability immutable → readWrite',
      'attribute "region": returned default → request',
      'attribute "region": uniqueness server → none',
      'attribute "region": canonicalValues added ["us"]',
      'attribute "region": description changed',
      'added attribute "site"',
    ],
    [],
    [],
  ],
  [
    "a move to another resource type and a respelled URN",
    version([region]),
    {
      ...version([region], { resourceType: "Group" }),
      schema: { id: id.toUpperCase(), name: "AcmeUser", description: "", attributes: [region] },
    },
    ["resource type User → Group", `URN spelled "${id}" → "${id.toUpperCase()}"`],
    [
      `${id.toUpperCase()}: the extension extends User and cannot move to Group: register another URN for Group`,
      `${id.toUpperCase()}: the extension's URN is spelled "${id}", the key its values are stored under: spell it the same way`,
    ],
    [],
  ],
  [
    "an extension made required",
    version([region]),
    version([region], { required: true }),
    ["required false → true"],
    [],
    [ifData("lacks", "", "the extension cannot become required: resources of type User exist without it")],
  ],
  [
    "an attribute removed",
    version([region, badge]),
    version([badge]),
    ['removed attribute "region"'],
    [],
    [ifData("holds", "region", 'attribute "region" holds values, so it cannot be removed')],
  ],
  [
    "an attribute respelled, retyped and made multi-valued",
    version([region]),
    version([attribute("Region", "integer", { multiValued: true })]),
    [
      'attribute "Region": name spelled "region" → "Region"',
      'attribute "Region": type string → integer',
      'attribute "Region": multiValued false → true',
    ],
    [],
    [
      ifData(
        "holds",
        "region",
        'attribute "Region" holds values, so its name cannot be respelled "Region": the values are stored under "region"',
      ),
      ifData("holds", "region", 'attribute "Region" holds values, so its type cannot change from string to integer'),
      ifData("holds", "region", 'attribute "Region" holds values, so it cannot become multi-valued'),
    ],
  ],
  [
    "an attribute made required",
    version([region]),
    version([attribute("region", "string", { required: true })]),
    ['attribute "region": required false → true'],
    [],
    [ifData("lacks", "region", 'attribute "region" cannot become required: resources hold the extension without it')],
  ],
  [
    "a required attribute added",
    version([region]),
    version([region, attribute("tier", "string", { required: true })]),
    ['added attribute "tier"'],
    [],
    [ifData("lacks", "tier", 'attribute "tier" cannot be added as required: resources hold the extension without it')],
  ],
  [
    "caseExact changed on a string, and on an integer where it means nothing",
    version([region, attribute("level", "integer")]),
    version([attribute("region", "string", { caseExact: true }), attribute("level", "integer", { caseExact: true })]),
    ['attribute "region": caseExact false → true', 'attribute "level": caseExact false → true'],
    [],
    [
      ifData(
        "holds",
        "region",
        'attribute "region" holds values, so caseExact cannot change: stored values are compared and folded as caseExact false',
      ),
    ],
  ],
  [
    "uniqueness imposed",
    version([region]),
    version([attribute("region", "string", { uniqueness: "server" })]),
    ['attribute "region": uniqueness none → server'],
    [],
    [ifData("holds", "region", 'attribute "region" holds values, so uniqueness cannot become "server": stored values may repeat')],
  ],
  [
    "a value never returned made returned",
    version([attribute("pin", "string", { mutability: "writeOnly", returned: "never" })]),
    version([attribute("pin", "string", { returned: "default" })]),
    ['attribute "pin": mutability writeOnly → readWrite', 'attribute "pin": returned never → default'],
    [],
    [ifData("holds", "pin", 'attribute "pin" holds values, so values sent as never returned cannot start being returned ("default")')],
  ],
  [
    "canonicalValues set, narrowed, and dropped",
    version([
      region,
      attribute("tier", "string", { canonicalValues: ["Gold", "silver"] }),
      attribute("site", "string", { canonicalValues: ["a"] }),
    ]),
    version([
      attribute("region", "string", { canonicalValues: ["eu"] }),
      attribute("tier", "string", { canonicalValues: ["gold"] }),
      attribute("site", "string"),
    ]),
    [
      'attribute "region": canonicalValues set to ["eu"]',
      'attribute "tier": canonicalValues removed ["silver"]',
      'attribute "site": canonicalValues dropped: any value is accepted',
    ],
    [],
    [
      ifData("holds", "region", 'attribute "region" holds values, so canonicalValues cannot be set: stored values may be outside ["eu"]'),
      ifData("holds", "tier", 'attribute "tier" holds values, so canonicalValues cannot drop ["silver"]: stored values may be among them'),
    ],
  ],
  [
    "sub-attributes added, removed, retyped and made required",
    version([
      attribute("badge", "complex", {
        multiValued: true,
        subAttributes: [attribute("number", "integer"), attribute("issued", "dateTime")],
      }),
    ]),
    version([
      attribute("badge", "complex", {
        multiValued: true,
        subAttributes: [attribute("number", "string", { required: true }), attribute("site", "string")],
      }),
    ]),
    [
      'attribute "badge.number": type integer → string',
      'attribute "badge.number": required false → true',
      'added attribute "badge.site"',
      'removed attribute "badge.issued"',
    ],
    [],
    [
      ifData("holds", "badge[].number", 'attribute "badge.number" holds values, so its type cannot change from integer to string'),
      ifData("lacks", "badge[].number", 'attribute "badge.number" cannot become required: resources hold "badge" without it'),
      ifData("holds", "badge[].issued", 'attribute "badge.issued" holds values, so it cannot be removed'),
    ],
  ],
  [
    "a complex attribute made a string: its sub-attributes are not compared",
    version([badge]),
    version([attribute("badge", "string", { multiValued: true })]),
    ['attribute "badge": type complex → string'],
    [],
    [ifData("holds", "badge[]", 'attribute "badge" holds values, so its type cannot change from complex to string')],
  ],
];

// The top-level attributes each row's change touches, by row: what a schema extension event names.
const attributesByRow: Record<string, string[]> = {
  "a new extension": ["region"],
  "a new required extension, with a required attribute": ["tier"],
  "nothing changed": [],
  "only a sub-attribute's description changed, beside an untouched attribute": ["badge"],
  "compatible changes only": ["region", "site"],
  "a move to another resource type and a respelled URN": [],
  "an extension made required": [],
  "an attribute removed": ["region"],
  "an attribute respelled, retyped and made multi-valued": ["Region"],
  "an attribute made required": ["region"],
  "a required attribute added": ["tier"],
  "caseExact changed on a string, and on an integer where it means nothing": ["region", "level"],
  "uniqueness imposed": ["region"],
  "a value never returned made returned": ["pin"],
  "canonicalValues set, narrowed, and dropped": ["region", "tier", "site"],
  "sub-attributes added, removed, retyped and made required": ["badge"],
  "a complex attribute made a string: its sub-attributes are not compared": ["badge"],
};

for (const [name, previous, next, changes, refused, refusedIfData] of rows) {
  test(`comparing extensions: ${name}`, () => {
    const compared = compareExtensionSchemas(previous, next);
    assert.deepEqual(compared.changes, changes);
    assert.deepEqual(compared.attributes, attributesByRow[name]);
    assert.deepEqual(
      compared.refused.map((r) => `${r.attribute}: ${r.message}`),
      refused,
    );
    assert.deepEqual(
      compared.refusedIfData.map((r) =>
        ifData(r.when, r.path.map((step) => `${step.name}${step.multiValued ? "[]" : ""}`).join("."), r.message),
      ),
      refusedIfData,
    );
  });
}
