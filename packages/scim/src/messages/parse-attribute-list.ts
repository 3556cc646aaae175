import { ScimError } from "../errors/scim-error.js";
import type { AttributePath } from "../schema/attribute-path.js";
import { FilterParser } from "../filter/parse-filter.js";
import { formatAttributePath, lookupAttributePath } from "../schema/resolve-attribute-path.js";
import type { ResourceTypeDefinition } from "../schema/schema-definition.js";

/**
 * Parses the `attributes` or `excludedAttributes` query parameter (RFC 7644 §3.4.2.5): a
 * comma-separated list of attribute names in RFC 7644 §3.10 notation, returned in the schema's
 * spelling without duplicates. An extension URN on its own stands for all of that extension's
 * attributes.
 *
 * Names the schema does not define are skipped rather than rejected: asking for an attribute the
 * server does not have is answered as if it were unassigned (the lenience RFC 7644 §3.3 shows for
 * unknown attributes). Microsoft's test collection sends `attributes=emails[type eq "work"]`; the
 * value filter there is read as naming `emails` (RFC 7644 defines no filtering of returned values).
 * Malformed entries are a 400 invalidValue.
 */
export function parseAttributeList(text: string, resourceType: ResourceTypeDefinition): AttributePath[] {
  const result: AttributePath[] = [];
  const seen = new Set<string>();
  const add = (path: AttributePath) => {
    const key = formatAttributePath(path).toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      result.push(path);
    }
  };
  for (const entry of splitEntries(text)) {
    const lookup = lookupAttributePath(parseEntry(entry), resourceType);
    if (lookup.kind === "attribute") add(lookup.resolved.path);
    if (lookup.kind === "extension") {
      for (const a of lookup.schema.attributes) add({ schema: lookup.schema.id, attribute: a.name });
    }
  }
  return result;
}

function parseEntry(entry: string): AttributePath {
  try {
    return new FilterParser(entry, "invalidValue", "attribute list entry").parsePath().path;
  } catch (error) {
    if (error instanceof ScimError) throw ScimError.of("invalidValue", `attribute list entry "${entry}": ${error.detail}`);
    throw error;
  }
}

/** Splits at commas that are outside brackets and quotes, trimming entries and dropping empty ones. */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === "\\") i += 1;
      else if (char === '"') quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === "[") depth += 1;
    else if (char === "]") depth -= 1;
    else if (char === "," && depth === 0) {
      entries.push(text.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(text.slice(start));
  return entries.map((e) => e.trim()).filter((e) => e !== "");
}
