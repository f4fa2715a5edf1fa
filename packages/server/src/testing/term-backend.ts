import type { SearchBackend, SearchHit } from '../backend';

/**
 * Test double for SearchBackend: ranks in-memory documents by how many query terms they contain
 * (ties by doc order). Real enough to drive the service end to end without an index on disk;
 * `hold()` parks searches until released, to test hot swap with requests in flight.
 */
export class TermBackend implements SearchBackend {
  readonly kind: string;
  readonly version: string;
  closed = false;
  private readonly docs: [string, string, Set<string>][];
  private gate?: { promise: Promise<void>; open: () => void };

  constructor(docs: Map<string, string> | Record<string, string>, opts: { version?: string; kind?: string } = {}) {
    const entries = docs instanceof Map ? [...docs] : Object.entries(docs);
    this.docs = entries.map(([id, text]) => [id, text, new Set(terms(text))]);
    this.version = opts.version ?? 'term-v1';
    this.kind = opts.kind ?? 'term';
  }

  async search(query: string, k: number): Promise<SearchHit[]> {
    if (this.gate) await this.gate.promise;
    if (this.closed) throw new Error(`backend ${this.version} used after close`);
    const q = [...new Set(terms(query))];
    return this.docs
      .map(([docid, , set], i) => ({ docid, i, score: q.filter((t) => set.has(t)).length }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, k)
      .map(({ docid, score }) => ({ docid, score }));
  }

  getDocument(docid: string): string | undefined {
    return this.docs.find(([id]) => id === docid)?.[1];
  }

  *documents(): Iterable<[string, string]> {
    for (const [id, text] of this.docs) yield [id, text];
  }

  close(): void {
    this.closed = true;
  }

  /** Makes every search wait until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
    return () => {
      this.gate = undefined;
      open();
    };
  }
}

function terms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
