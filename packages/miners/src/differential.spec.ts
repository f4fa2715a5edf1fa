import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { mineToFile } from './mine-to-file';
import { hashJudge } from './testing/hash-judge';
import { mulberry32 as rng } from '@lrat/core';

// Differential test: hundreds of mutated real trajectories (wrong types, Python-isms, malformed files)
// mined by this package and by the independent Python reference (tools/bench/lrat_reference.py) must
// give the same samples. Python supplies str()/json/split semantics natively, so this checks the
// Python-isms against CPython itself.

const root = path.resolve(__dirname, '../../..');
const data = path.join(root, 'data/lrat-examples');
const PY = '/usr/bin/python3';

// Raw JSON fragments spliced in as text, so floats like 1.0 and NaN survive (JSON.stringify cannot write them).
const RAW = (s: string) => `__RAW__${Buffer.from(s).toString('hex')}__`;
const unraw = (text: string) => text.replace(/"__RAW__([0-9a-f]*)__"/g, (_m, h: string) => Buffer.from(h, 'hex').toString());

const DOCID_VALUES = ['123', '"123"', '1.0', '1e16', '123.0', 'true', 'null', '[]', '[null]', '["wiki:123"]', '[123, 4]', '"a:b:123"', '""', '{"x": 1}', '"  123 "', '[[1, 2]]', '-0', 'NaN', '12345678901234567890'];
const QUERY_VALUES = ['[]', '[5]', '[null]', '"plain"', '7', '{"a": 1}', '[["x", 1.5]]', '[1.0]', '[""]', '[0]', '[false]', 'null', '["é ü\\u2028"]', '[{"k": [1, "v\'q"]}]', '[true]', '1e16', '[NaN]', '["a", "b"]'];
const OUTPUT_VALUES = ['"lone \\ud800 surrogate"', '"caf\\u00e9 café \\u0007 \\ud83d\\ude00 😀"', '"naïve\\u00a0text\u00a0x"', '["caf\\u00e9", "ü"]', '["a", 1, 2.5, null, true]', 'null', '12', '1.0', '{"b": 1, "a": "x"}', '""', '"short"', '[]', '"tab\\tsep\\u001cfs\\u00a0nbsp\\u2003em"', 'false', '[["n", 1]]'];

function mutateSteps(steps: unknown[], r: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const n = 1 + Math.floor(r() * 4);
  for (let m = 0; m < n && steps.length; m++) {
    const i = Math.floor(r() * steps.length);
    const st = steps[i] as Record<string, unknown>;
    if (!st || typeof st !== 'object' || Array.isArray(st)) continue;
    switch (Math.floor(r() * 16) % 14 === 13 ? 13 : Math.floor(r() * 14)) {
      case 0: steps.splice(i, 1); break;
      case 1: steps.splice(i, 0, JSON.parse(JSON.stringify(st))); break;
      case 2: if (i + 1 < steps.length) [steps[i], steps[i + 1]] = [steps[i + 1], steps[i]]; break;
      case 3: st.type = pick(['reasoning', 'tool_call', 'output_text', 'other', null, RAW('5')]); break;
      case 4: st.tool_name = pick(['search', 'get_document', 'visit', 'open', null, RAW('["visit"]'), RAW('{}'), RAW('1.0')]); break;
      case 5: st.type = 'tool_call'; st.tool_name = pick(['get_document', 'visit']); st.arguments = `{"docid": ${pick(DOCID_VALUES)}}`; break;
      case 6: st.arguments = pick(['', '{}', RAW('null'), RAW('0'), '[]', 'null', '"s"', '{"query": ', '\ufeff{}', RAW('{"docid": "1"}'), RAW('5'), '{} ', '{"docid": "1"} x', RAW('[]')]); break;
      case 7: if (st.tool_name === 'search') st.arguments = `{"query": ${pick(QUERY_VALUES)}}`; else st.arguments = `{"query": ${pick(QUERY_VALUES)}}`; break;
      case 8: st.output = pick([RAW('null'), RAW('5'), RAW('[]'), 'DocID: 123\r\nDocID:\t456 \nDocID:\x1c789\x1f\nDocID:\nDocId:1\n DocID:2', RAW('["DocID:1"]'), RAW('0'), '']); break;
      case 9: steps.splice(i + 1, 0, { type: 'reasoning', tool_name: 'None', arguments: 'None', output: RAW(pick(OUTPUT_VALUES)) }); break;
      case 10: delete st.output; break;
      case 11: delete st.arguments; break;
      case 12: steps.splice(i, 0, pick([RAW('"step"'), RAW('5'), RAW('null'), RAW('[]')])); break;
      case 13: {
        // A browse (of an id the previous search showed, or an odd one) with an odd reasoning output after it.
        const shown = [...JSON.stringify(steps).matchAll(/DocID:(\d+)/g)].map((x) => x[1]);
        const docid = shown.length && r() < 0.6 ? JSON.stringify(pick(shown)) : pick(DOCID_VALUES);
        const browse = { type: 'tool_call', tool_name: pick(['get_document', 'visit']), arguments: `{"docid": ${docid}}`, output: 'x' };
        const thought = { type: 'reasoning', tool_name: 'None', arguments: 'None', output: RAW(pick(OUTPUT_VALUES)) };
        steps.splice(i, 0, ...(r() < 0.7 ? [browse, thought] : [browse]));
        break;
      }
    }
  }
}

function wholeFileVariant(text: string, k: number): Buffer | string {
  switch (k % 12) {
    case 0: return '\ufeff' + text;
    case 1: return text + ' x';
    case 2: return text + '\n' + text;
    case 3: return text.slice(0, Math.floor(text.length / 2));
    case 4: return Buffer.concat([Buffer.from(text.slice(0, 100)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(100))]);
    case 5: return '';
    case 6: return '[' + text + ']';
    case 7: return text.replace('"result"', '"results"');
    case 8: return text.replace(/"result": \[/, '"result": null, "x": [');
    case 9: return text.replace(/"result": \[/, '"result": "", "x": [');
    case 10: return text.replace(/"result": \[/, '"result": {}, "x": [');
    default: return '  \r\n' + text.replace('"query_id"', '"n": NaN, "query_id"') + '\n\r\t ';
  }
}

describe('differential test against the independent Python reference', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-diff-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees sample for sample on 400 mutated trajectories and 36 malformed files', async () => {
    const trajDir = path.join(dir, 'traj');
    mkdirSync(trajDir);
    mkdirSync(path.join(trajDir, 'sub-folder-ignored'));
    const bases = readdirSync(path.join(data, 'trajectories')).sort().map((f) => readFileSync(path.join(data, 'trajectories', f), 'utf8'));
    const r = rng(20261125);
    for (let k = 0; k < 400; k++) {
      const obj = JSON.parse(bases[k % bases.length]) as { result: unknown[] };
      // Keep the files small: a window of steps around a random point.
      const start = Math.floor(r() * Math.max(1, obj.result.length - 40));
      obj.result = obj.result.slice(start, start + 40);
      mutateSteps(obj.result, r);
      writeFileSync(path.join(trajDir, `m${String(k).padStart(4, '0')}.json`), unraw(JSON.stringify(obj, null, k % 2 ? 1 : undefined)));
    }
    for (let k = 0; k < 36; k++) writeFileSync(path.join(trajDir, `f${k}.json`), wholeFileVariant(bases[k % bases.length], k));
    writeFileSync(path.join(trajDir, '.hidden.json'), bases[3]);
    // Corpus: the parity corpus plus ids only Python's str() produces.
    const corpus = path.join(dir, 'corpus.jsonl');
    const extra = ['123', '1.0', '1e+16', '123.0', 'True', '4', "{'x'", ' 1}', '12345678901234567890', 'nan', '0', '456', '789', ''].map(
      (id) => JSON.stringify({ docid: id, text: `extra ${id}` }),
    );
    writeFileSync(corpus, readFileSync(path.join(data, 'parity/corpus.jsonl'), 'utf8') + extra.join('\n') + '\n');

    const pyOut = path.join(dir, 'py.jsonl');
    execFileSync(PY, [path.join(root, 'tools/bench/lrat_reference.py'), 'mine', '--traj-dir', trajDir, '--corpus', corpus, '--verdicts', 'hash:', '--out', pyOut, '--judged-out', path.join(dir, 'py-judged.txt')], { stdio: 'pipe' });
    const tsOut = path.join(dir, 'ts.jsonl');
    const summary = await mineToFile({
      trajectories: [trajDir],
      format: 'lrat',
      corpus,
      judge: { kind: 'none' },
      judgeInstance: hashJudge,
      tokenizer: 'whitespace',
      out: tsOut,
      saveVerdicts: path.join(dir, 'ts-verdicts.jsonl'),
    });
    // The same texts were judged (only those of trajectories that were not dropped midway by Python).
    const tsJudged = new Set(readFileSync(path.join(dir, 'ts-verdicts.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { reasoning_sha256: string }).reasoning_sha256));
    const pyJudged = new Set(readFileSync(path.join(dir, 'py-judged.txt'), 'utf8').split('\n').filter(Boolean));
    for (const d of tsJudged) expect(pyJudged.has(d)).toBe(true);
    const py = readFileSync(pyOut, 'utf8').split('\n').filter(Boolean);
    const ts = readFileSync(tsOut, 'utf8').split('\n').filter(Boolean);
    const strip = (l: string) => l.replace(/, "reweight_rate": [^}]*\}$/, '');
    expect(ts.length).toBe(py.length);
    for (let i = 0; i < ts.length; i++) {
      expect(strip(ts[i])).toBe(strip(py[i]));
      const wa = Number(/"reweight_rate": ([^}]*)\}$/.exec(ts[i])?.[1]);
      const wb = Number(/"reweight_rate": ([^}]*)\}$/.exec(py[i])?.[1]);
      expect(Math.abs(wa - wb)).toBeLessThanOrEqual(1e-9);
    }
    expect(summary.files).toBe(437);
    expect(summary.samples).toBe(ts.length);
    expect(summary.skipped).toBeGreaterThanOrEqual(20);
    expect(summary.dropped).toBeGreaterThan(50);
    expect(ts.length).toBeGreaterThan(300);
  });
});
