import { attribute } from "@scimgw/scim";
import type { ExtensionDefinition } from "@scimgw/scim-proto";

/** The URN of the tenant extension the directory's extension tests register. */
export const acmeUser = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";

/**
 * A tenant's User extension with an attribute of each type and each characteristic the directory
 * enforces, for the tests that hold extension attributes to the rules of core ones.
 */
export const acmeUserExtension: ExtensionDefinition = {
  resourceType: "User",
  required: false,
  schema: {
    id: acmeUser,
    name: "AcmeUser",
    description: "Acme's own user attributes",
    attributes: [
      attribute("tier", "string", { canonicalValues: ["gold", "silver", "bronze"] }),
      attribute("code", "string", { caseExact: true }),
      attribute("seats", "integer"),
      attribute("ratio", "decimal"),
      attribute("vip", "boolean"),
      attribute("hiredAt", "dateTime"),
      attribute("regions", "string", { multiValued: true }),
      attribute("badge", "string", { mutability: "immutable", uniqueness: "server" }),
      attribute("pin", "string", { caseExact: true, uniqueness: "server" }),
      attribute("secret", "string", { mutability: "writeOnly", returned: "never" }),
      attribute("score", "integer", { mutability: "readOnly" }),
      attribute("contact", "complex", {
        subAttributes: [attribute("email", "string"), attribute("kind", "string", { caseExact: true })],
      }),
    ],
  },
};

/** The URN of the tenant Group extension the directory's group filter tests register. */
export const acmeGroup = "urn:ietf:params:scim:schemas:extension:acme:2.0:Group";

/**
 * A tenant's Group extension with an attribute of each type a filter compares differently: strings
 * caseExact both ways, numbers, a boolean, a dateTime, a multi-valued string, a single complex
 * attribute and a multi-valued complex one with a primary value.
 */
export const acmeGroupExtension: ExtensionDefinition = {
  resourceType: "Group",
  required: false,
  schema: {
    id: acmeGroup,
    name: "AcmeGroup",
    description: "Acme's own group attributes",
    attributes: [
      attribute("costCentre", "string"),
      attribute("code", "string", { caseExact: true }),
      attribute("size", "integer"),
      attribute("budget", "decimal"),
      attribute("audited", "boolean"),
      attribute("reviewedAt", "dateTime"),
      attribute("regions", "string", { multiValued: true }),
      attribute("owner", "complex", {
        subAttributes: [attribute("email", "string"), attribute("kind", "string", { caseExact: true })],
      }),
      attribute("sites", "complex", {
        multiValued: true,
        subAttributes: [attribute("value", "string"), attribute("primary", "boolean")],
      }),
    ],
  },
};
