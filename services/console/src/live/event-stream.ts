import { PassThrough } from "node:stream";
import type { Context } from "koa";

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Aborts when the browser goes away (or the stream is closed). */
  signal: AbortSignal;
  close(): void;
}

/**
 * Turns the response into Server-Sent Events: each `send` is one event whose data is JSON, a
 * comment every 15 s keeps proxies from closing an idle stream, and the browser leaving aborts
 * `signal`, which ends whatever follows the directory for it.
 */
export function openEventStream(ctx: Context): EventStream {
  const body = new PassThrough();
  const controller = new AbortController();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.status = 200;
  ctx.type = "text/event-stream";
  ctx.set("Cache-Control", "no-store");
  ctx.set("X-Accel-Buffering", "no");
  ctx.body = body;
  const keepAlive = setInterval(() => body.write(": keep-alive\n\n"), 15_000);
  const close = () => {
    if (controller.signal.aborted) return;
    clearInterval(keepAlive);
    controller.abort();
    body.end();
  };
  ctx.req.once("close", close);
  body.write("retry: 2000\n\n");
  return {
    signal: controller.signal,
    send(event, data) {
      if (!controller.signal.aborted) body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
  };
}

/** Waits, or less if the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
