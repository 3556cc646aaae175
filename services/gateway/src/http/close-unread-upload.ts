import type { Socket } from "node:net";
import type { Middleware } from "koa";

/** Unread bodies up to this size are drained as usual, keeping the connection alive. */
const drainableBytes = 64 * 1024;
/** How long a client refused mid-upload has to read the answer before the gateway lets go. */
const lingerMs = 500;

/**
 * A request answered before its big body arrived (413 by Content-Length, 429, 401, 415, a 404 for
 * an odd id…) does not cost the gateway the rest of its upload. Node would read and discard all of
 * it to keep the connection alive, so a client sending 5 MB only to be refused would cost 5 MB of
 * reads each time. Instead the answer says `Connection: close` (so the client sends nothing more
 * on this connection) and the gateway closes lingeringly, as Go's net/http and nginx do: it sends
 * its FIN, stops reading (TCP flow control then stops the client, which gives up its upload once
 * it reads the answer), and lets go of the socket after a moment. Closing at once would reset the
 * connection under the client's upload, and clients then fail with EPIPE without reading the
 * answer. Small bodies, every request an IdP sends, are drained and keep the connection alive.
 */
export const closeUnreadUpload: Middleware = async (ctx, next) => {
  try {
    await next();
  } finally {
    if (!ctx.req.complete && !ctx.res.headersSent && !(ctx.request.length <= drainableBytes)) {
      ctx.set("Connection", "close");
      closeLingeringly(ctx.req.socket);
    }
  }
};

/**
 * Node's HTTP server ends a `Connection: close` response's socket with `destroySoon()`, which
 * destroys it as soon as the answer is written; on this socket it lingers instead.
 */
function closeLingeringly(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    // The server resumes the request on the next tick to drain it; stop reading after that.
    setImmediate(() => socket.pause());
    setTimeout(() => socket.destroy(), lingerMs).unref();
  };
}
