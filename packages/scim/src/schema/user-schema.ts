import { attribute, type AttributeDefinition, type SchemaDefinition } from "./schema-definition.js";
import { urn } from "./urns.js";

/** value/display/type/primary: the sub-attributes of most multi-valued attributes (RFC 7643 §2.4). */
function multiValuedSubAttributes(options: {
  valueType?: "string" | "reference" | "binary";
  types?: readonly string[];
  referenceTypes?: readonly string[];
  caseExactValue?: boolean;
}): AttributeDefinition[] {
  return [
    attribute("value", options.valueType ?? "string", {
      description: "The attribute's significant value.",
      // RFC 7643 §2.3.6: "A binary is case exact", and filters compare base64 exactly.
      caseExact: options.caseExactValue ?? options.valueType === "binary",
      ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
    }),
    attribute("display", "string", { description: "A human-readable name, primarily used for display purposes." }),
    attribute("type", "string", {
      description: "A label indicating the attribute's function.",
      ...(options.types ? { canonicalValues: options.types } : {}),
    }),
    attribute("primary", "boolean", { description: "Whether this is the preferred value; at most one value is primary." }),
  ];
}

/** The core User schema, RFC 7643 §4.1 and its representation in §8.7.1. */
export const userSchema: SchemaDefinition = {
  id: urn.user,
  name: "User",
  description: "User Account",
  attributes: [
    attribute("userName", "string", {
      description: "Unique identifier for the User, used to authenticate; unique within the tenant, compared case-insensitively.",
      required: true,
      uniqueness: "server",
    }),
    attribute("name", "complex", {
      description: "The components of the user's real name.",
      subAttributes: [
        attribute("formatted", "string", { description: "The full name, formatted for display." }),
        attribute("familyName", "string", { description: "The family name of the User." }),
        attribute("givenName", "string", { description: "The given name of the User." }),
        attribute("middleName", "string", { description: "The middle name(s) of the User." }),
        attribute("honorificPrefix", "string", { description: "The honorific prefix(es) of the User." }),
        attribute("honorificSuffix", "string", { description: "The honorific suffix(es) of the User." }),
      ],
    }),
    attribute("displayName", "string", { description: "The name of the User, suitable for display to end-users." }),
    attribute("nickName", "string", { description: "The casual way to address the user." }),
    attribute("profileUrl", "reference", {
      description: "A fully qualified URL pointing to the User's online profile.",
      referenceTypes: ["external"],
    }),
    attribute("title", "string", { description: 'The user\'s title, such as "Vice President".' }),
    attribute("userType", "string", { description: "The relationship between the organization and the user." }),
    attribute("preferredLanguage", "string", { description: "The User's preferred written or spoken language." }),
    attribute("locale", "string", { description: "The User's default location for localization." }),
    attribute("timezone", "string", { description: "The User's time zone in IANA Time Zone database format." }),
    attribute("active", "boolean", { description: "The User's administrative status." }),
    attribute("password", "string", {
      description: "The User's cleartext password, write-only: stored hashed and never returned.",
      mutability: "writeOnly",
      returned: "never",
    }),
    attribute("emails", "complex", {
      description: "Email addresses for the user.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({ types: ["work", "home", "other"] }),
    }),
    attribute("phoneNumbers", "complex", {
      description: "Phone numbers for the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({ types: ["work", "home", "mobile", "fax", "pager", "other"] }),
    }),
    attribute("ims", "complex", {
      description: "Instant messaging addresses for the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({ types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"] }),
    }),
    attribute("photos", "complex", {
      description: "URLs of images of the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({
        valueType: "reference",
        referenceTypes: ["external"],
        types: ["photo", "thumbnail"],
        caseExactValue: true,
      }),
    }),
    attribute("addresses", "complex", {
      description: "A physical mailing address for this User.",
      multiValued: true,
      subAttributes: [
        attribute("formatted", "string", { description: "The full mailing address, formatted for display." }),
        attribute("streetAddress", "string", { description: "The full street address component." }),
        attribute("locality", "string", { description: "The city or locality component." }),
        attribute("region", "string", { description: "The state or region component." }),
        attribute("postalCode", "string", { description: "The zip code or postal code component." }),
        attribute("country", "string", { description: "The country name component." }),
        attribute("type", "string", {
          description: "A label indicating the attribute's function.",
          canonicalValues: ["work", "home", "other"],
        }),
        attribute("primary", "boolean", { description: "Whether this is the preferred address." }),
      ],
    }),
    attribute("groups", "complex", {
      description: "A list of groups to which the user belongs, directly or indirectly.",
      multiValued: true,
      mutability: "readOnly",
      subAttributes: [
        attribute("value", "string", { description: "The identifier of the User's group.", mutability: "readOnly" }),
        attribute("$ref", "reference", {
          description: "The URI of the corresponding Group resource.",
          mutability: "readOnly",
          referenceTypes: ["User", "Group"],
        }),
        attribute("display", "string", { description: "A human-readable name of the group.", mutability: "readOnly" }),
        attribute("type", "string", {
          description: "direct or indirect membership.",
          mutability: "readOnly",
          canonicalValues: ["direct", "indirect"],
        }),
      ],
    }),
    attribute("entitlements", "complex", {
      description: "A list of entitlements for the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({}),
    }),
    attribute("roles", "complex", {
      description: "A list of roles for the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({}),
    }),
    attribute("x509Certificates", "complex", {
      description: "A list of certificates issued to the User.",
      multiValued: true,
      subAttributes: multiValuedSubAttributes({ valueType: "binary" }),
    }),
  ],
};

/** The enterprise User extension, RFC 7643 §4.3. */
export const enterpriseUserSchema: SchemaDefinition = {
  id: urn.enterpriseUser,
  name: "EnterpriseUser",
  description: "Enterprise User",
  attributes: [
    attribute("employeeNumber", "string", { description: "Numeric or alphanumeric identifier assigned to a person." }),
    attribute("costCenter", "string", { description: "Identifies the name of a cost center." }),
    attribute("organization", "string", { description: "Identifies the name of an organization." }),
    attribute("division", "string", { description: "Identifies the name of a division." }),
    attribute("department", "string", { description: "Identifies the name of a department." }),
    attribute("manager", "complex", {
      description: "The User's manager.",
      subAttributes: [
        attribute("value", "string", { description: "The id of the SCIM resource representing the User's manager." }),
        attribute("$ref", "reference", {
          description: "The URI of the SCIM resource representing the User's manager.",
          referenceTypes: ["User"],
        }),
        attribute("displayName", "string", { description: "The displayName of the User's manager.", mutability: "readOnly" }),
      ],
    }),
  ],
};
