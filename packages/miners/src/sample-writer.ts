import { createReadStream, createWriteStream, promises as fsp, type WriteStream } from 'fs';
import { LengthAccumulator, reasoningLengthScheme, weightStatsFromColumns, type WeightingScheme, type WeightStats } from '@lrat/weighting';
import * as path from 'path';
import { isProcessAlive, sweepStaleTemps, writeStreamAtomic } from '@lrat/core';
import { completeSampleJson } from './sample-json';

// Writes mined samples with their weights, streaming: the weights depend on every sample's length
// (β is a median over the run), so pass 1 spools each sample's JSON prefix to a temp file and keeps
// only lengths/flags in memory; pass 2 appends the weights through @lrat/core's streaming atomic writer.

export interface WriterResult {
  /** Samples mined (weights are computed over all of them). */
  samples: number;
  /** Lines written (fewer with satisfiedOnly, and without the samples that have no negative). */
  written: number;
  /** Samples left out because `neg` would be empty (FlagEmbedding's loader cannot take them). */
  withoutNegatives: number;
  stats: WeightStats;
}

/**
 * Whether a mined sample is a line of the output. Upstream FlagEmbedding samples negatives with
 * ceil((group - 1) / len(neg)): a row with `"neg": []` raises ZeroDivisionError in its loader, so such
 * a sample is counted, weighted with the others, and not written.
 */
export function writtenInOutput(negatives: number, satisfied: boolean | number, satisfiedOnly = false): boolean {
  return negatives > 0 && (!satisfiedOnly || !!satisfied);
}

/** Batches small writes into ≈ 1 MB ones (one per sample would dominate the run). */
class Chunked {
  private parts: string[] = [];
  private bytes = 0;
  constructor(private readonly sink: (data: string) => Promise<void>) {}
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.bytes += s.length;
    if (this.bytes >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const data = this.parts.join('');
    this.parts = [];
    this.bytes = 0;
    await this.sink(data);
  }
}

/** A write stream as a sink that waits for 'drain', and its closing. */
function streamSink(ws: WriteStream): { sink: (data: string) => Promise<void>; close: () => Promise<void> } {
  return {
    sink: async (data) => {
      if (!ws.write(data)) await new Promise<void>((r) => ws.once('drain', () => r()));
    },
    close: () => new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}

export class WeightedSampleWriter {
  private readonly spoolPath: string;
  private readonly spool: Chunked;
  private readonly closeSpool: () => Promise<void>;
  private readonly lens = new LengthAccumulator();
  private sat = new Uint8Array(1024);
  private negs = new Uint32Array(1024);
  private n = 0;
  private failed: Error | null = null;

  constructor(
    readonly out: string,
    private readonly opts: { satisfiedOnly?: boolean; scheme?: WeightingScheme } = {},
  ) {
    const tag = `${process.pid}-${Date.now()}`;
    this.spoolPath = `${out}.spool-${tag}`;
    const ws = createWriteStream(this.spoolPath);
    ws.on('error', (e) => (this.failed = e));
    const { sink, close } = streamSink(ws);
    this.spool = new Chunked(sink);
    this.closeSpool = async () => {
      await this.spool.flush();
      await close();
    };
  }

  get count(): number {
    return this.n;
  }

  async add(prefix: string, len: number | null, satisfied: boolean, negatives: number): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.n === this.sat.length) {
      const s = new Uint8Array(this.n * 2);
      s.set(this.sat);
      this.sat = s;
      const g = new Uint32Array(this.n * 2);
      g.set(this.negs);
      this.negs = g;
    }
    this.sat[this.n] = satisfied ? 1 : 0;
    this.negs[this.n] = negatives;
    this.n++;
    this.lens.add(len);
    await this.spool.write(prefix + '\n');
  }

  async finish(): Promise<WriterResult> {
    await this.closeSpool();
    if (this.failed) throw this.failed;
    const lens = this.lens.lengths();
    const weights = (this.opts.scheme ?? reasoningLengthScheme).weights(lens);
    const { written, withoutNegatives } = await writeStreamAtomic(this.out, async (sink) => {
      const out = new Chunked(sink);
      let i = 0;
      let written = 0;
      let withoutNegatives = 0;
      let rest = '';
      for await (const chunk of createReadStream(this.spoolPath, { encoding: 'utf8' }) as AsyncIterable<string>) {
        const text = rest + chunk;
        let from = 0;
        for (;;) {
          const nl = text.indexOf('\n', from);
          if (nl < 0) break;
          if (this.negs[i] === 0) withoutNegatives++;
          if (writtenInOutput(this.negs[i], this.sat[i], this.opts.satisfiedOnly)) {
            await out.write(completeSampleJson(text.slice(from, nl), weights[i]) + '\n');
            written++;
          }
          i++;
          from = nl + 1;
        }
        rest = text.slice(from);
      }
      await out.flush();
      return { written, withoutNegatives };
    });
    await fsp.rm(this.spoolPath, { force: true });
    const stats = weightStatsFromColumns({
      lens: Array.from(lens, (l) => (Number.isNaN(l) ? null : l)),
      satisfied: this.sat.subarray(0, this.n),
      negatives: this.negs.subarray(0, this.n),
      weights,
    });
    return { samples: this.n, written, withoutNegatives, stats };
  }

  async abort(): Promise<void> {
    await this.closeSpool().catch(() => undefined);
    await fsp.rm(this.spoolPath, { force: true });
  }
}

/**
 * Removes what a killed run left beside `file`: `<file>.spool-PID-MS` and `<file>.tmp-PID-MS` (the
 * names this package writes) and `.<file>.tmp-PID-RAND` (@lrat/core's atomic writer) whose PID no longer
 * runs. Anything else, and live writers' files, stay.
 */
export async function removeStaleTemps(file: string): Promise<string[]> {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  let names: string[];
  try {
    names = await fsp.readdir(path.dirname(abs));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^\.(spool|tmp)-(\d+)-\d+$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await fsp.rm(path.join(path.dirname(abs), name), { force: true });
    removed.push(name);
  }
  for (const p of await sweepStaleTemps(path.dirname(abs), (b) => b === base)) removed.push(path.basename(p));
  return removed;
}
