import type { AttributeDefinition, SchemaDefinition } from "./schema-definition.js";

/** One version of a tenant's extension: its schema, the resource type it extends, and whether that type requires it. */
export interface ExtensionVersion {
  readonly resourceType: string;
  readonly required: boolean;
  readonly schema: SchemaDefinition;
}

/** A step of a stored value's path under the extension's URN, as the previous version stores it. */
export interface StoredStep {
  readonly name: string;
  readonly multiValued: boolean;
}

/**
 * A change refused only if the directory's data says so: `holds` when any resource holds a value at
 * `path`, `lacks` when a resource that holds the path's parent (the extension itself for a top-level
 * attribute, or one value of the complex attribute) has no value at `path`. An empty `path` with
 * `lacks` means: a resource of the type that does not carry the extension at all.
 */
export interface DataDependentRefusal {
  readonly when: "holds" | "lacks";
  /** The attribute as a person names it ("region", "address.city"), or the extension's URN. */
  readonly attribute: string;
  readonly path: readonly StoredStep[];
  /** Why, as a whole sentence about the attribute, shown when the data refuses the change. */
  readonly message: string;
}

/** A change refused whatever the data. */
export interface SchemaChangeRefusal {
  readonly attribute: string;
  readonly message: string;
}

/** What changing an extension from one version to the next does. */
export interface ExtensionChanges {
  /** Every change, one line each (`added attribute "region"`); empty when nothing changed. */
  readonly changes: readonly string[];
  /**
   * The top-level attributes the change added, changed or removed, as the schema spells them (a
   * removed one as the previous version did); a change below a complex attribute names it. Empty
   * when only the extension's own name, description, URN or requirement changed.
   */
  readonly attributes: readonly string[];
  readonly refused: readonly SchemaChangeRefusal[];
  readonly refusedIfData: readonly DataDependentRefusal[];
}

const show = (value: unknown) => JSON.stringify(value);

/**
 * Compares a registered extension (undefined when there is none yet) with the version asked for,
 * both already valid (checkExtensionSchema). Compatible changes are listed only; the others are
 * refused always or when stored values would no longer fit, which the caller checks (the core has
 * no data). With no stored value, every attribute change is compatible, removal included: the
 * table below refuses only what existing values or resources would break.
 */
export function compareExtensionSchemas(previous: ExtensionVersion | undefined, next: ExtensionVersion): ExtensionChanges {
  const changes: string[] = [];
  const refused: SchemaChangeRefusal[] = [];
  const refusedIfData: DataDependentRefusal[] = [];
  const attributes: string[] = [];
  const id = next.schema.id;
  if (previous === undefined) {
    changes.push(`registered extension "${id}" of ${next.resourceType}${next.required ? " (required)" : ""}`);
  } else {
    // Values are stored on the resources of the type it extends; moving them is not a schema change.
    if (previous.resourceType !== next.resourceType) {
      changes.push(`resource type ${previous.resourceType} → ${next.resourceType}`);
      refused.push({
        attribute: id,
        message: `the extension extends ${previous.resourceType} and cannot move to ${next.resourceType}: register another URN for ${next.resourceType}`,
      });
    }
    // Resources hold their values under the URN as first spelled (URNs compare ignoring case, JSON keys do not).
    if (previous.schema.id !== id) {
      changes.push(`URN spelled "${previous.schema.id}" → "${id}"`);
      refused.push({
        attribute: id,
        message: `the extension's URN is spelled "${previous.schema.id}", the key its values are stored under: spell it the same way`,
      });
    }
    if (previous.schema.name !== next.schema.name) changes.push(`name ${show(previous.schema.name)} → ${show(next.schema.name)}`);
    if (previous.schema.description !== next.schema.description) changes.push("description changed");
    if (previous.required !== next.required) changes.push(`required ${previous.required} → ${next.required}`);
  }
  // Every resource of the type must then carry it: refused while one does not.
  if (next.required && previous?.required !== true) {
    refusedIfData.push({
      when: "lacks",
      attribute: id,
      path: [],
      message: `the extension cannot become required: resources of type ${next.resourceType} exist without it`,
    });
  }
  compareLevel(previous?.schema.attributes ?? [], next.schema.attributes, [], { changes, refusedIfData, attributes });
  return { changes, attributes, refused, refusedIfData };
}

interface Findings {
  changes: string[];
  refusedIfData: DataDependentRefusal[];
  /** The top-level attributes touched: filled at the top level only, below it a change counts for its top-level attribute. */
  attributes: string[];
}

function compareLevel(
  before: readonly AttributeDefinition[],
  after: readonly AttributeDefinition[],
  parent: readonly StoredStep[],
  findings: Findings,
): void {
  const prefix = parent.map((step) => `${step.name}.`).join("");
  const topLevel = parent.length === 0;
  const kept = new Set<string>();
  for (const definition of after) {
    const old = before.find((candidate) => candidate.name.toLowerCase() === definition.name.toLowerCase());
    if (old === undefined) {
      if (topLevel) findings.attributes.push(definition.name);
      findings.changes.push(`added attribute "${prefix}${definition.name}"`);
      // A new attribute holds no value yet: only resources that already hold its parent could lack it.
      if (definition.required) {
        findings.refusedIfData.push({
          when: "lacks",
          attribute: `${prefix}${definition.name}`,
          path: [...parent, { name: definition.name, multiValued: definition.multiValued }],
          message: `attribute "${prefix}${definition.name}" cannot be added as required: resources hold ${parent.length === 0 ? "the extension" : `"${prefix.slice(0, -1)}"`} without it`,
        });
      }
      continue;
    }
    kept.add(old.name.toLowerCase());
    // Every difference of a kept attribute, its sub-attributes' included, is a change line of its own.
    const linesBefore = findings.changes.length;
    compareAttribute(old, definition, parent, findings);
    if (topLevel && findings.changes.length > linesBefore) findings.attributes.push(definition.name);
  }
  for (const old of before) {
    if (kept.has(old.name.toLowerCase())) continue;
    if (topLevel) findings.attributes.push(old.name);
    findings.changes.push(`removed attribute "${prefix}${old.name}"`);
    // The values would stay in the resources, unreadable and unwritable.
    findings.refusedIfData.push({
      when: "holds",
      attribute: `${prefix}${old.name}`,
      path: [...parent, { name: old.name, multiValued: old.multiValued }],
      message: `attribute "${prefix}${old.name}" holds values, so it cannot be removed`,
    });
  }
}

/**
 * The compatibility table of one attribute kept from the previous version: a row per
 * characteristic. Every refusal depends on stored values, as the contract promises anything for an
 * attribute no resource holds a value of; those of the previous version are where the data is.
 */
function compareAttribute(old: AttributeDefinition, next: AttributeDefinition, parent: readonly StoredStep[], findings: Findings): void {
  const name = `${parent.map((step) => `${step.name}.`).join("")}${next.name}`;
  const path = [...parent, { name: old.name, multiValued: old.multiValued }];
  const at = `attribute "${name}"`;
  const line = (what: string) => findings.changes.push(`${at}: ${what}`);
  const ifHolds = (why: string) =>
    findings.refusedIfData.push({ when: "holds", attribute: name, path, message: `${at} holds values, so ${why}` });

  // Stored values are keyed by the name as spelled when they were written.
  if (old.name !== next.name) {
    line(`name spelled "${old.name}" → "${next.name}"`);
    ifHolds(`its name cannot be respelled "${next.name}": the values are stored under "${old.name}"`);
  }
  // A value of one type is not one of another (a string is not an integer, an object not a string).
  if (old.type !== next.type) {
    line(`type ${old.type} → ${next.type}`);
    ifHolds(`its type cannot change from ${old.type} to ${next.type}`);
  }
  // A single value is not a list, nor a list a single value.
  if (old.multiValued !== next.multiValued) {
    line(`multiValued ${old.multiValued} → ${next.multiValued}`);
    ifHolds(`it cannot become ${next.multiValued ? "multi-valued" : "single-valued"}`);
  }
  // Relaxing is always safe; requiring is refused while a resource holding the parent lacks a value.
  if (old.required !== next.required) {
    line(`required ${old.required} → ${next.required}`);
    if (next.required) {
      findings.refusedIfData.push({
        when: "lacks",
        attribute: name,
        path,
        message: `${at} cannot become required: resources hold ${parent.length === 0 ? "the extension" : `"${parent.map((s) => s.name).join(".")}"`} without it`,
      });
    }
  }
  // Stored strings are folded (compared, indexed for uniqueness) by caseExact; other types ignore it.
  if (old.caseExact !== next.caseExact) {
    line(`caseExact ${old.caseExact} → ${next.caseExact}`);
    if (old.type === next.type && (next.type === "string" || next.type === "reference")) {
      ifHolds(`caseExact cannot change: stored values are compared and folded as caseExact ${old.caseExact}`);
    }
  }
  // Who may write it changes nothing stored.
  if (old.mutability !== next.mutability) line(`mutability ${old.mutability} → ${next.mutability}`);
  if (old.returned !== next.returned) {
    line(`returned ${old.returned} → ${next.returned}`);
    // Values clients sent as never to be returned (secrets) would be.
    if (old.returned === "never") ifHolds(`values sent as never returned cannot start being returned ("${next.returned}")`);
  }
  if (old.uniqueness !== next.uniqueness) {
    line(`uniqueness ${old.uniqueness} → ${next.uniqueness}`);
    // Lifting uniqueness is always safe; stored values may already repeat, so imposing it is not.
    if (next.uniqueness !== "none") ifHolds(`uniqueness cannot become "${next.uniqueness}": stored values may repeat`);
  }
  compareCanonicalValues(old, next, line, ifHolds);
  const oldTypes = old.referenceTypes ?? [];
  const nextTypes = next.referenceTypes ?? [];
  // Reference types describe targets; stored references are not checked against them.
  if (oldTypes.length !== nextTypes.length || oldTypes.some((t, i) => t !== nextTypes[i])) {
    line(`referenceTypes ${show(oldTypes)} → ${show(nextTypes)}`);
  }
  if (old.description !== next.description) line("description changed");
  // Sub-attributes compare like attributes, when both versions are complex (a type change is refused above).
  if (old.type === "complex" && next.type === "complex") {
    compareLevel(old.subAttributes ?? [], next.subAttributes ?? [], path, findings);
  }
}

/**
 * Widening (values added, or the list dropped: any value) is always safe; narrowing (a value
 * removed, or a list where any value went) is refused while the attribute holds any value: the
 * directory does not re-read every stored value against the narrower list.
 */
function compareCanonicalValues(
  old: AttributeDefinition,
  next: AttributeDefinition,
  line: (what: string) => void,
  ifHolds: (why: string) => void,
): void {
  const fold = (value: string) => (next.caseExact ? value : value.toLowerCase());
  const before = old.canonicalValues ?? [];
  const after = next.canonicalValues ?? [];
  const afterFolded = new Set(after.map(fold));
  const beforeFolded = new Set(before.map(fold));
  const added = after.filter((value) => !beforeFolded.has(fold(value)));
  const removed = before.filter((value) => !afterFolded.has(fold(value)));
  if (after.length === 0) {
    if (before.length > 0) line("canonicalValues dropped: any value is accepted");
    return;
  }
  if (before.length === 0) {
    line(`canonicalValues set to ${show(after)}`);
    ifHolds(`canonicalValues cannot be set: stored values may be outside ${show(after)}`);
    return;
  }
  if (added.length > 0) line(`canonicalValues added ${show(added)}`);
  if (removed.length > 0) {
    line(`canonicalValues removed ${show(removed)}`);
    ifHolds(`canonicalValues cannot drop ${show(removed)}: stored values may be among them`);
  }
}
