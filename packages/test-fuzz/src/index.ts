export { fuzzParameters, fuzzSettingsOf, readFuzzSettings } from "./fuzz-settings.js";
export type { FuzzSettings } from "./fuzz-settings.js";
export {
  deeplyNestedFilterText,
  garbledFilterText,
  groupFilterText,
  hostileString,
  patchBody,
  patchOperation,
  seededFragments,
  userFilterText,
} from "./scim-arbitraries.js";
