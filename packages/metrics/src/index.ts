export { serveMetrics } from "./serve-metrics.js";
export type { MetricsEndpoint, MetricsListen } from "./serve-metrics.js";
export { metricsHost, metricsPort } from "./metrics-settings.js";
