export { serveMetrics } from "./serve-metrics.js";
export type { MetricsEndpoint, MetricsListen } from "./serve-metrics.js";
export { metricsHost, metricsPort } from "./metrics-settings.js";
export { eventLoopBusyMetric, registerProcessMetrics } from "./process-metrics.js";
