export { createConsole } from "./create-console.js";
export type { ConsoleOptions } from "./create-console.js";
export type { ConsoleDirectory } from "./context/console-context.js";
export { loadConsoleConfig } from "./config.js";
export type { ConsoleConfig } from "./config.js";
export { html, escapeHtml } from "./html/html.js";
export { explainRequest } from "./setup/explain-activity.js";
export type { ExplainedRequest, PortalIdp } from "./setup/explain-activity.js";
