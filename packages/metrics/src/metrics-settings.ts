import { z } from "zod";

/**
 * A metrics port setting: a port number (0 takes any free port, as tests do) or `off`, which
 * serves no metrics at all; off is undefined once parsed. The default is applied before `off`
 * becomes undefined: zod would otherwise put the default back in its place.
 */
export function metricsPort(defaultPort: number) {
  return z
    .union([z.literal("off"), z.coerce.number().int().min(0).max(65535)], { error: "must be a port number (0-65535) or off" })
    .default(defaultPort)
    .transform((value) => (value === "off" ? undefined : value));
}

/** A metrics host setting: loopback by default, so no one but the machine itself can scrape unless an operator says so. */
export const metricsHost = z.string().min(1).default("127.0.0.1");
