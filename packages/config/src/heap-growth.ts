import { setFlagsFromString } from "node:v8";
import { z } from "zod";

/**
 * HEAP_GROWTH_PERCENT: how far V8 lets a service's heap grow past what was live after a full
 * collection before it collects again. V8's own choice for a heap as small as ours (about 25 MB
 * live) is up to 4×, so a workload that promotes steadily (an import, page after page) took a
 * gateway from 80 to ~200 MiB before the first full collection freed 80 of them (issue 14: RSS
 * growth during an import must stay under 64 MiB). 50 means at most 1.5×: the import's growth is
 * ~30 MiB, for a full collection every second or so while it runs (5–20 ms each; single-resource
 * requests promote almost nothing and collect no more often). 0 leaves it to V8.
 */
export const heapGrowthSetting = z.coerce.number().int().min(0).max(400).default(50);

/** Applies HEAP_GROWTH_PERCENT to this process; V8 reads it at every full collection, so a running process takes it. */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
