export { createGateway, scimRoot } from "./create-gateway.js";
export type { GatewayOptions } from "./create-gateway.js";
export { loadGatewayConfig } from "./config.js";
