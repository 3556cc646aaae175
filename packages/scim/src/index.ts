// Limits on what one request may ask (RFC 7644 leaves them to the service provider)
export { defaultScimLimits, maxListIndex } from "./limits/scim-limits.js";
export type { ScimLimits } from "./limits/scim-limits.js";
export { checkString, isStorableText } from "./limits/check-string.js";
export type { StringKind } from "./limits/check-string.js";
export { checkResourceLimits } from "./resource/check-resource-limits.js";

// Errors (RFC 7644 §3.12)
export { ScimError, errorSchemaUrn, scimTypeStatus } from "./errors/scim-error.js";
export type { ScimErrorBody, ScimType } from "./errors/scim-error.js";

// Schemas and resource types (RFC 7643 §2-§7)
export { attribute, findAttribute } from "./schema/schema-definition.js";
export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceTypeDefinition,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from "./schema/schema-definition.js";
export { urn } from "./schema/urns.js";
export { commonAttributes } from "./schema/common-attributes.js";
export { enterpriseUserSchema, userSchema } from "./schema/user-schema.js";
export { groupSchema } from "./schema/group-schema.js";
export { extendResourceType, groupResourceType, userResourceType } from "./schema/resource-types.js";
export {
  checkExtensionSchema,
  maxExtensionAttributeNameLength,
  maxExtensionAttributes,
  maxExtensionUrnLength,
  parseExtensionSchema,
} from "./discovery/check-extension-schema.js";
export type { ParsedExtensionSchema } from "./discovery/check-extension-schema.js";
export { compareExtensionSchemas } from "./schema/compare-extension-schemas.js";
export type {
  DataDependentRefusal,
  ExtensionChanges,
  ExtensionVersion,
  SchemaChangeRefusal,
  StoredStep,
} from "./schema/compare-extension-schemas.js";
export {
  catalogFilterAttributes,
  catalogResourceType,
  maxCatalogDescriptionLength,
  oktaCatalogUrn,
  oktaEntitlementSchema,
  oktaRoleSchema,
} from "./schema/okta-catalog-schemas.js";
export type { CatalogType } from "./schema/okta-catalog-schemas.js";
export { catalogEntryResource } from "./resource/catalog-entry-resource.js";
export type { CatalogEntry } from "./resource/catalog-entry-resource.js";
export {
  findExtensionSchema,
  isCoreSchema,
  formatAttributePath,
  lookupAttributePath,
  resolveAttributePath,
  schemasAttribute,
} from "./schema/resolve-attribute-path.js";
export type { AttributeLookup, ResolvedAttributePath } from "./schema/resolve-attribute-path.js";

// Filters (RFC 7644 §3.4.2.2)
export type { ComparisonOperator, Filter, FilterValue } from "./filter/filter-ast.js";
export type { AttributePath } from "./schema/attribute-path.js";
export { parseFilter } from "./filter/parse-filter.js";
export { formatFilter } from "./filter/format-filter.js";
export { resolveFilter, resolveValueFilter } from "./filter/resolve-filter.js";
export { createFilterPredicate, createValuePredicate, matchesFilter } from "./filter/evaluate-filter.js";
export type { FilterPredicate } from "./filter/evaluate-filter.js";
export { toComparableText } from "./resource/comparable-text.js";

// Resources: create/replace bodies (RFC 7644 §3.3, §3.5.1) and projection (RFC 7644 §3.4.2.5)
export { cloneJson, isJsonObject, jsonEqual } from "./resource/json-value.js";
export type { JsonObject, JsonValue, ScimResource } from "./resource/json-value.js";
export { normalizeResource, schemasFor } from "./resource/normalize-resource.js";
export { keepImmutableValues } from "./resource/keep-immutable-values.js";
export type { NormalizeContext } from "./resource/normalize-resource.js";
export { coerceAttributeElement, coerceAttributeValue, parseBooleanLenient } from "./resource/coerce-attribute-value.js";
export { parseDateTime } from "./resource/parse-date-time.js";
export type { DateTimeValue } from "./resource/parse-date-time.js";
export { parseAttributeList } from "./messages/parse-attribute-list.js";
export { projectResource } from "./resource/project-resource.js";
export type { ProjectionOptions } from "./resource/project-resource.js";

// PATCH (RFC 7644 §3.5.2)
export type { PatchOperation, PatchOperationType, PatchPath } from "./patch/patch-operation.js";
export { checkPatchOperationCount, parsePatchRequest } from "./patch/parse-patch-request.js";
export { parsePatchPath } from "./patch/parse-patch-path.js";
export { applyPatch } from "./patch/apply-patch.js";
export { parseListQuery, parseSearchRequest } from "./messages/list-query.js";
export { resolveSortBy } from "./messages/resolve-sort-by.js";
export type { ListQuery, PagingLimits, SortOrder } from "./messages/list-query.js";

// Versions and ETags (RFC 7644 §3.14)
export { expectedVersionOf, isNotModified, versionToEtag } from "./versioning/etag.js";

// Messages (RFC 7644 §3.4.2)
export { listResponse } from "./messages/list-response.js";
export type { ListPage } from "./messages/list-response.js";

// Discovery: /ServiceProviderConfig, /ResourceTypes, /Schemas (RFC 7643 §5-§7, §8.7; RFC 7644 §4)
export { bearerTokenAuthentication, serviceProviderConfig } from "./discovery/service-provider-config.js";
export type { AuthenticationScheme, ServiceProviderFeatures } from "./discovery/service-provider-config.js";
export { resourceTypeDocument } from "./discovery/resource-type-document.js";
export { schemaDocument } from "./discovery/schema-document.js";
export {
  discoverySchemas,
  findResourceType,
  findSchemaDocument,
  resourceTypeListResponse,
  schemaListResponse,
  servedSchemas,
} from "./discovery/discovery-lists.js";
export type { DiscoveryOptions } from "./discovery/discovery-lists.js";
export { serviceProviderConfigSchema } from "./discovery/service-provider-config-schema.js";
export { resourceTypeSchema } from "./discovery/resource-type-schema.js";
export { schemaSchema } from "./discovery/schema-schema.js";
export { splitMemberOperations } from "./patch/split-member-operations.js";
export type { GroupPatchStep, MemberChange } from "./patch/split-member-operations.js";
