export { ConfigError } from "./config-error.js";
export { readSettings } from "./read-settings.js";
export type { ReadSettingsOptions } from "./read-settings.js";
