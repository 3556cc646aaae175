import { performance } from "node:perf_hooks";
import { collectDefaultMetrics, Counter, type Registry } from "prom-client";

/** The counter of seconds the event loop spent running callbacks (registerProcessMetrics). */
export const eventLoopBusyMetric = "scimgw_event_loop_busy_seconds_total";

/**
 * The process metrics every service serves in its registry: prom-client's (CPU, memory, event-loop
 * lag, GC) under their standard names, so stock Node.js dashboards work, and the seconds the main
 * thread's event loop spent running callbacks rather than waiting for work (Node's event-loop
 * utilisation). Its rate() is the share of the time the loop was busy, which tells whether a
 * service is bound by its main thread: near 1, more load makes it slower, not busier. prom-client's
 * lag gauges cannot tell that: they sample every 10 ms and count the interval with the lag, so they
 * read about 10 ms at rest and under load alike (the directory's p50: 10.1 ms at rest, 10.1–10.2 ms
 * under the bench's POST load).
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  let counted = 0;
  new Counter({
    name: eventLoopBusyMetric,
    help: "Seconds this process's event loop spent running callbacks rather than waiting; its rate() is the loop's utilisation, near 1 when the service is bound by its main thread.",
    registers: [registry],
    collect() {
      // Milliseconds busy since the loop started, read at each scrape; the counter only ever grows.
      const busy = performance.eventLoopUtilization().active / 1000;
      this.inc(Math.max(0, busy - counted));
      counted = Math.max(counted, busy);
    },
  });
}
