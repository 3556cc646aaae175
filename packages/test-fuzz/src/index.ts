export { fuzzParameters, fuzzSettingsOf, readFuzzSettings } from "./fuzz-settings.js";
export type { FuzzSettings } from "./fuzz-settings.js";
