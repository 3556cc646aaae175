import { readFileSync } from "node:fs";

export interface RssFigures {
  /** The first sample of the measurement, MiB. */
  startMiB: number;
  /** The largest sample, MiB. */
  peakMiB: number;
}

const sampleEveryMs = 250;

function rssMiBOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    // The process has exited: no sample.
    return undefined;
  }
}

/**
 * Samples the resident memory of named processes every 250 ms from start() until stop(), which
 * returns each one's first and largest sample. Reads /proc, so Linux only (as the product's
 * machines are).
 */
export function sampleRss(pids: Record<string, number>): { stop: () => Record<string, RssFigures> } {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const value = rssMiBOf(pid);
      if (value !== undefined) samples[name]?.push(value);
    }
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        Object.entries(samples).map(([name, values]) => [name, { startMiB: values[0] ?? 0, peakMiB: Math.max(0, ...values) }]),
      );
    },
  };
}
