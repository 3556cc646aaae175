export { createGateway, scimRoot } from "./create-gateway.js";
export type { GatewayOptions } from "./create-gateway.js";
export { createDirectoryClients } from "./directory-client.js";
export type { DirectoryClients } from "./directory-client.js";
export { loadGatewayConfig, ConfigError } from "./config.js";
