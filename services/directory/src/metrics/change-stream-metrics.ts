import type { Knex } from "knex";
import { Gauge, type Registry } from "prom-client";
import type { ObserveChangeStreams } from "../changes/change-service.js";

interface StreamPosition {
  tenantId: string;
  /** The last sequence number the stream sent, or the cursor it started after. */
  sent: bigint;
}

/** Tenants looked up per query: well under SQLite's 999 bound parameters. */
const tenantsPerQuery = 500;

/**
 * Change streams open, and how far behind the furthest one is, in events: its tenant's newest
 * sequence number minus the last one the stream sent. Counted in events rather than seconds
 * because sequence numbers are exact and need one indexed read of `tenants` per scrape (only
 * while a stream is open); a stream keeping up reads 0 or the few events of its last poll
 * interval, a stalled or slow consumer a number that grows.
 */
export function registerChangeStreamMetrics(registry: Registry, db: Knex): ObserveChangeStreams {
  const open = new Set<StreamPosition>();
  new Gauge({
    name: "scimgw_directory_change_streams_open",
    help: "WatchChanges streams open now on this replica, replaying or following.",
    registers: [registry],
    collect() {
      this.set(open.size);
    },
  });
  new Gauge({
    name: "scimgw_directory_change_stream_max_lag_events",
    help:
      "Events the furthest-behind open WatchChanges stream has yet to send: its tenant's newest change sequence number minus the last one it sent; " +
      "0 when none is open, NaN when the database could not be read at scrape time.",
    registers: [registry],
    async collect() {
      try {
        this.set(Number(await maxLag([...open])));
      } catch {
        // The pool gauges beside it are worth most when the database is in trouble: keep the scrape.
        this.set(Number.NaN);
      }
    },
  });

  async function maxLag(streams: StreamPosition[]): Promise<bigint> {
    const tenantIds = [...new Set(streams.map((stream) => stream.tenantId))];
    const newest = new Map<string, bigint>();
    for (let i = 0; i < tenantIds.length; i += tenantsPerQuery) {
      const rows: Array<{ id: string; last_change_seq: number | string }> = await db("tenants")
        .whereIn("id", tenantIds.slice(i, i + tenantsPerQuery))
        .select("id", "last_change_seq");
      for (const row of rows) newest.set(row.id, BigInt(row.last_change_seq));
    }
    let max = 0n;
    for (const stream of streams) {
      const lag = (newest.get(stream.tenantId) ?? stream.sent) - stream.sent;
      if (lag > max) max = lag;
    }
    return max;
  }

  return (tenantId, afterSeq) => {
    const position: StreamPosition = { tenantId, sent: afterSeq };
    open.add(position);
    return {
      sent(seq) {
        position.sent = seq;
      },
      closed() {
        open.delete(position);
      },
    };
  };
}
