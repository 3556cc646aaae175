export { ConfigError } from "./config-error.js";
export { readSettings } from "./read-settings.js";
export type { ReadSettingsOptions } from "./read-settings.js";
export { describeFailure, exitWithFailure } from "./exit-with-failure.js";
export type { ExplainFailure, Explanation } from "./exit-with-failure.js";
export { explainPostgresFailure } from "./explain-postgres-failure.js";
export { explainListenFailure } from "./explain-listen-failure.js";
export type { ListenSettings } from "./explain-listen-failure.js";
export { flagSetting } from "./flag-setting.js";
