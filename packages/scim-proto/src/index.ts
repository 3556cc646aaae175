export { userToProto, userFromProto } from "./translate-user.js";
export type { UserFromProtoOptions } from "./translate-user.js";
export { filterToProto, filterFromProto, attributePathToProto, attributePathFromProto, MalformedMessageError } from "./translate-filter.js";
export { patchOperationsToProto, patchOperationsFromProto } from "./translate-patch.js";
export { groupToProto, groupFromProto, memberFromProto } from "./translate-group.js";
export type { GroupFromProtoOptions } from "./translate-group.js";
export { reasonOfScimType, scimTypeOfReason } from "./error-reason.js";
export { isResourceId } from "./resource-id.js";
