import { createHash } from "node:crypto";
import type { Context, Next } from "koa";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RequestLimit } from "../context/console-context.js";
import { ConsoleError } from "../errors/console-error.js";
import { sessionTokenOf } from "./operator-session.js";

/**
 * Generous for a person (a page is one request, its assets are not counted, a live view counts
 * once when it opens) and for the browser tests, tight enough that a script looping on a page
 * cannot keep the directory busy for everyone.
 */
export const defaultRequestLimit: RequestLimit = { requests: 600, seconds: 60 };

/** Keys a setup link may issue: an IT admin needs one or two; a looping script gets a few more. */
export const defaultSetupKeyLimit: RequestLimit = { requests: 10, seconds: 3600 };

/** A secret as a limiter's key: the limiter's memory never holds a session or a link's token. */
const digest = (secret: string) => createHash("sha256").update(secret).digest("hex");

/**
 * Who a request counts against: its setup link, else its operator session, else its client
 * address (sign-in and unknown paths; the directory limits failed sign-ins on its own).
 */
export function callerOf(ctx: Context, publicUrl: string | undefined): string {
  const link = /^\/setup\/([^/]+)/.exec(ctx.path)?.[1];
  if (link !== undefined) return `link:${digest(link)}`;
  const session = sessionTokenOf(ctx, publicUrl);
  return session === undefined ? `address:${ctx.ip}` : `session:${digest(session)}`;
}

/** Takes one point for `key`, or refuses with 429 and Retry-After when its window is spent. */
export async function consumeOrRefuse(ctx: Context, limiter: RateLimiterMemory, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (refusal) {
    if (!(refusal instanceof RateLimiterRes)) throw refusal;
    const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    ctx.set("Retry-After", String(seconds));
    throw new ConsoleError(429, `${message} Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`);
  }
}

export function limiterOf(limit: RequestLimit): RateLimiterMemory {
  return new RateLimiterMemory({ points: limit.requests, duration: limit.seconds });
}

/** Every request but the static assets and the health check counts against its caller (callerOf). */
export function limitRequests(limit: RequestLimit, publicUrl: string | undefined) {
  const limiter = limiterOf(limit);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path === "/healthz" || ctx.path.startsWith("/assets/")) return next();
    await consumeOrRefuse(ctx, limiter, callerOf(ctx, publicUrl), "Too many requests.");
    return next();
  };
}
