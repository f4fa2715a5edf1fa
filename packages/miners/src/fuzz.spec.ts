import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { gzipSync } from 'zlib';
import * as path from 'path';
import { parseTrajectoryFileBytes, parseTrajectoryLine, readTrajectories, TrajectorySchema, type ReadItem, type TrajectoryFormat } from '@lrat/trajectory';
import { MapCorpus } from './corpus';
import { noneJudge } from './judges/judge';
import { mineTrajectorySync } from './mine-all';
import { whitespaceTokenizer } from './tokenizers';
import { mulberry32 as rng } from '@lrat/core';

// Fuzz: thousands of malformed lines and objects in every format. Nothing may throw; every failure
// names its file and line, says why, and (for a trajectory dropped while converting) which field.

const data = path.resolve(__dirname, '../../../data/lrat-examples/trajectories');
const lrat = JSON.parse(readFileSync(path.join(data, '1.json'), 'utf8')) as Record<string, unknown>;
const normalised = {
  id: 'n',
  question: 'q',
  steps: [
    { type: 'search', query: 'q', results: [{ docid: 'a', rank: 1 }] },
    { type: 'browse', docid: 'a' },
    { type: 'reasoning', text: 'r' },
  ],
};
const openai = {
  messages: [
    { role: 'user', content: 'q' },
    { role: 'assistant', content: 't', tool_calls: [{ id: 'c', function: { name: 'search', arguments: '{"query": "q"}' } }] },
    { role: 'tool', tool_call_id: 'c', content: 'DocID:a' },
  ],
};

const WEIRD: unknown[] = [null, true, 0, -1.5, '', 'x', [], {}, [null], { a: [] }, 'é\u2028', 1e308, 'DocID:1\nDocID:', '{"docid": 1}', 'None'];

function mutate(v: unknown, r: () => number, depth = 0): unknown {
  if (Array.isArray(v)) {
    const a = v.slice();
    if (a.length && r() < 0.3) a.splice(Math.floor(r() * a.length), 1);
    const i = Math.floor(r() * a.length);
    if (a.length) a[i] = r() < 0.5 && depth < 6 ? mutate(a[i], r, depth + 1) : WEIRD[Math.floor(r() * WEIRD.length)];
    return a;
  }
  if (v && typeof v === 'object') {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    if (!keys.length) return WEIRD[Math.floor(r() * WEIRD.length)];
    const k = keys[Math.floor(r() * keys.length)];
    const roll = r();
    if (roll < 0.2) delete o[k];
    else if (roll < 0.6 && depth < 6) o[k] = mutate(o[k], r, depth + 1);
    else o[k] = WEIRD[Math.floor(r() * WEIRD.length)];
    return o;
  }
  return WEIRD[Math.floor(r() * WEIRD.length)];
}

describe('fuzz: malformed trajectories never crash and always say what is wrong', () => {
  const corpus = new MapCorpus(new Map([['a', 'A'], ['1', 'one']]));
  const bases: [TrajectoryFormat, unknown][] = [['lrat', lrat], ['jsonl', normalised], ['openai', openai], ['auto', lrat], ['auto', normalised], ['auto', openai]];

  it('5,000 generated inputs', () => {
    const r = rng(4242);
    const tally = { ok: 0, skipped: 0, dropped: 0, truncated: 0 };
    for (let i = 1; i <= 5000; i++) {
      const [format, base] = bases[i % bases.length];
      let text = JSON.stringify(mutate(base, r));
      const kind = i % 10;
      if (kind === 1) text = text.slice(0, Math.floor(r() * text.length)); // truncated JSON
      else if (kind === 2) text = text.replace(/"[^"]*"/, `"${'x'.repeat(200000)}"`); // huge string
      else if (kind === 3) text = '['.repeat(1200) + ']'.repeat(1200); // deeper than CPython parses
      else if (kind === 4) text = Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))).toString('latin1');
      const bytes = kind === 5 ? Buffer.concat([Buffer.from(text), Buffer.from([0xc3])]) : Buffer.from(text);
      let item;
      try {
        item = parseTrajectoryLine(bytes, { file: 'fuzz.jsonl', line: i }, format, kind !== 6);
      } catch (e) {
        throw new Error(`line ${i} (${format}) threw ${(e as Error).stack}\ninput: ${text.slice(0, 300)}`);
      }
      if (item === null) continue; // blank
      if (item.ok) {
        tally.ok++;
        expect(TrajectorySchema.safeParse(item.trajectory).success).toBe(true);
        expect(() => mineTrajectorySync(item.trajectory, { judge: noneJudge, tokenizer: whitespaceTokenizer, corpus })).not.toThrow();
        continue;
      }
      const e = item.error;
      tally[e.kind]++;
      expect(e.source).toEqual({ file: 'fuzz.jsonl', line: i });
      expect(e.message.startsWith(`fuzz.jsonl:${i}: `)).toBe(true);
      expect(e.reason.length).toBeGreaterThan(5);
      if (e.kind === 'dropped') expect(e.field).toBeTruthy();
      if (e.kind === 'truncated') expect(kind).toBe(6);
    }
    expect(tally.skipped).toBeGreaterThan(1000);
    expect(tally.dropped).toBeGreaterThan(500);
    expect(tally.ok).toBeGreaterThan(500);
  });

  it('nesting 100,000 deep (20,000 inside fields), and corrupt or truncated gzip, in every format and container', async () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const deepObj = '{"a":'.repeat(100000) + '1' + '}'.repeat(100000);
    // Inside fields 20,000 levels: far past where any recursive walk overflows Node's stack (~10,000 frames), and quicker to parse.
    const deep20k = '['.repeat(20000) + ']'.repeat(20000);
    const deepObj20k = '{"a":'.repeat(20000) + '1' + '}'.repeat(20000);
    const r = rng(99);
    const dir = mkdtempSync(path.join(tmpdir(), 'lrat-fuzz-gz-'));
    try {
      let n = 0;
      for (const [format, base] of bases) {
        // The whole document, and every top-level field of a valid base in turn, replaced by a deep value.
        const texts = [deep, deepObj];
        for (const [i, k] of Object.keys(base as Record<string, unknown>).entries()) for (const d of [i % 2 ? deep20k : deepObj20k]) texts.push(JSON.stringify({ ...(base as object), [k]: '\u0000' }).replace('"\\u0000"', d));
        texts.push(`[${JSON.stringify(base)}, ${deep20k}]`);
        for (const text of texts) {
          n++;
          const line = parseTrajectoryLine(Buffer.from(text), { file: 'deep.jsonl', line: n }, format);
          const file = parseTrajectoryFileBytes(gzipSync(text), 'deep.json.gz', format);
          for (const item of [line, file]) {
            if (item && !item.ok) expect(item.error.reason.length).toBeGreaterThan(5);
            if (item && item.ok) expect(() => mineTrajectorySync(item.trajectory, { judge: noneJudge, tokenizer: whitespaceTokenizer, corpus })).not.toThrow();
          }
        }
        // Gzip damaged in every way a killed writer or a bad disk leaves it: cut anywhere, bytes flipped.
        const gz = gzipSync(Array.from({ length: 30 }, () => JSON.stringify(base)).join('\n') + '\n');
        for (let k = 0; k < 12; k++) {
          const bad = Buffer.from(k < 6 ? gz.subarray(0, Math.floor(r() * gz.length)) : gz);
          if (k >= 6) for (let j = 0; j < 4; j++) bad[10 + Math.floor(r() * (bad.length - 10))] ^= 1 + Math.floor(r() * 255);
          const whole = parseTrajectoryFileBytes(bad, 'bad.json.gz', format);
          if (!whole.ok) expect(whole.error.message).toMatch(/^bad\.json\.gz: /);
          const f = path.join(dir, `bad-${format}-${k}.jsonl.gz`);
          writeFileSync(f, bad);
          const items: ReadItem[] = [];
          for await (const it of readTrajectories([f], { format: format === 'lrat' ? 'jsonl' : format })) items.push(it);
          for (const it of items) if (!it.ok) expect(it.error.source.file).toBe(f);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
