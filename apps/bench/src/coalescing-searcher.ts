import type { BasicSearcher as Searcher, Hit } from '@lrat/core';

// Agents search one query at a time, but a study runs many questions at once (--concurrency). A
// dense searcher pays its fixed cost (adapter forward pass, FAISS call) per call, so the queries the
// agents in flight ask in the same turn of the event loop are answered by one `searchBatch` call.

/**
 * Queries per `searchBatch` call. FAISS's exact inner-product search computes each query on its own
 * below 20 queries per call and switches to one BLAS product above, whose different summation order
 * can move a score in its last bits (and so break a near-tie differently than a lone search would).
 * Staying under that threshold keeps every answer bit-for-bit the one a lone `search` gives.
 */
export const COALESCE_MAX_BATCH = 16;

interface Pending {
  query: string;
  resolve: (hits: Hit[]) => void;
  reject: (err: unknown) => void;
}

/**
 * A searcher whose `search` calls made in the same event-loop turn are answered together by the
 * inner searcher's `searchBatch` (at most `maxBatch` queries a call, grouped by depth k, in the order
 * they were asked). Each caller gets the list it would have got alone; a failing batch fails each of
 * its callers. Without an inner `searchBatch` it is a plain pass-through.
 */
export function coalescingSearcher(inner: Searcher, maxBatch = COALESCE_MAX_BATCH): Searcher {
  if (!(Number.isInteger(maxBatch) && maxBatch >= 1)) throw new RangeError(`coalescingSearcher: maxBatch must be a positive integer, got ${maxBatch}`);
  const batch = inner.searchBatch?.bind(inner);
  if (!batch) return inner;
  const waiting = new Map<number, Pending[]>();
  let scheduled = false;

  const run = async (k: number, group: Pending[]) => {
    try {
      const lists = await batch(
        group.map((p) => p.query),
        k,
      );
      if (lists.length !== group.length) throw new Error(`searchBatch returned ${lists.length} lists for ${group.length} queries`);
      group.forEach((p, i) => p.resolve(lists[i]));
    } catch (err) {
      for (const p of group) p.reject(err);
    }
  };

  const flush = () => {
    scheduled = false;
    const groups = [...waiting.entries()];
    waiting.clear();
    for (const [k, pending] of groups) {
      for (let i = 0; i < pending.length; i += maxBatch) void run(k, pending.slice(i, i + maxBatch));
    }
  };

  return {
    search(query: string, k: number): Promise<Hit[]> {
      return new Promise<Hit[]>((resolve, reject) => {
        const list = waiting.get(k) ?? [];
        list.push({ query, resolve, reject });
        waiting.set(k, list);
        if (!scheduled) {
          scheduled = true;
          // setImmediate runs after every promise continuation of this turn: the agents woken by the
          // previous batch have all asked their next query by then.
          setImmediate(flush);
        }
      });
    },
    searchBatch: (queries, k) => batch(queries, k),
  };
}
