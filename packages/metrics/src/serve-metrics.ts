import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Where the metrics endpoint listens. */
export interface MetricsListen {
  host: string;
  /** 0 takes any free port (tests); the bound one is in the endpoint's url. */
  port: number;
}

export interface MetricsEndpoint {
  /** e.g. http://127.0.0.1:9464/metrics: what the start log line shows and Prometheus scrapes. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` from `registry` in Prometheus' text format on a listener of its own: the
 * SCIM and gRPC ports stay what their clients may reach, and this one is reachable only where an
 * operator binds it (loopback by default). Collection runs at scrape time, so a collector that
 * fails (a pool gauge whose database is gone) answers 500 rather than stale numbers; `onError`
 * gets its cause for the log.
 */
export async function serveMetrics(registry: Registry, listen: MetricsListen, onError: (error: unknown) => void): Promise<MetricsEndpoint> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found: metrics are at /metrics\n");
      return;
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("Method not allowed\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { "content-type": registry.contentType });
        response.end(request.method === "HEAD" ? undefined : text);
      },
      (error: unknown) => {
        onError(error);
        response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("Collecting the metrics failed; see the log.\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A scraper's kept-alive connection must not hold a stopping service open.
        server.closeIdleConnections();
      }),
  };
}
