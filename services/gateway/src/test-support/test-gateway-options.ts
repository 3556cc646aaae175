import { pino } from "pino";
import type { DirectoryClient } from "@scimgw/directory-client";
import type { GatewayOptions } from "../create-gateway.js";

/**
 * What every in-process gateway test starts from: a silent logger, no proxy, the usual paging, a
 * small key cache, a 1 MB body limit. A test spreads it and names only what it is about.
 */
export function testGatewayOptions(directory: DirectoryClient): GatewayOptions {
  return {
    directory,
    logger: pino({ level: "silent" }),
    trustProxy: false,
    paging: { defaultCount: 100, maxCount: 1000 },
    apiKeyCache: { ttlMs: 60_000, negativeTtlMs: 60_000, maxEntries: 10 },
    maxBodySize: "1mb",
  };
}
