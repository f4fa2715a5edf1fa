import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runMine, type MineArgs } from './mine';

// `lrat mine` end to end: the built binary reproduces the official builder on the shipped examples.

const root = path.resolve(__dirname, '../../../..');
const data = path.join(root, 'data/lrat-examples');
const bin = path.join(root, 'apps/cli/bin/lrat.js');

function lrat(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, LRAT_PROGRESS: 'silent', ...env } });
}

const parityArgs = (out: string) => [
  'mine', '--format', 'lrat', '--trajectories', path.join(data, 'trajectories'), '--corpus', path.join(data, 'parity/corpus.jsonl'),
  '--judge', 'replay', '--verdicts', path.join(data, 'parity/verdicts.jsonl'), '--tokenizer', 'whitespace', '--out', out,
];

describe('lrat mine', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-cli-mine-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the parity command equals parity/expected.jsonl sample for sample', () => {
    const out = path.join(dir, 'x.jsonl');
    const stats = path.join(dir, 'stats.json');
    const r = lrat([...parityArgs(out), '--stats', stats, '--save-verdicts', path.join(dir, 'v.jsonl')]);
    expect(r.stderr).toContain('22 samples (15 satisfied)');
    expect(r.status).toBe(0);
    const got = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const want = readFileSync(path.join(data, 'parity/expected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      const { reweight_rate: gw, ...gr } = g;
      const { reweight_rate: ww, ...wr } = want[i];
      expect(gr).toEqual(wr);
      expect(Math.abs((gw as number) - (ww as number))).toBeLessThanOrEqual(1e-9);
    });
    // Byte for byte, too (key order, separators, escapes, Python float repr of the weights).
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(data, 'parity/expected.jsonl'), 'utf8'));
    const s = JSON.parse(readFileSync(stats, 'utf8')) as { samples: number; stats: { beta: number } };
    expect(s.samples).toBe(22);
    expect(s.stats.beta).toBe(110);
    // The verdicts it used, saved in replay format, replay to the same output.
    const again = path.join(dir, 'again.jsonl');
    const args2 = parityArgs(again);
    args2[args2.indexOf('--verdicts') + 1] = path.join(dir, 'v.jsonl');
    expect(lrat(args2).status).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
    // No temp files left behind.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-') || f.includes('.spool-'))).toEqual([]);
  });

  it('--satisfied-only keeps the weights computed over all samples', async () => {
    const all = path.join(dir, 'all.jsonl');
    const sat = path.join(dir, 'sat.jsonl');
    const base: MineArgs = {
      trajectories: [path.join(data, 'trajectories')], format: 'lrat', corpus: path.join(data, 'parity/corpus.jsonl'), judge: 'replay',
      verdicts: path.join(data, 'parity/verdicts.jsonl'), tokenizer: 'whitespace', satisfiedOnly: false, weighting: 'reasoning-length', out: all,
      strict: false, quiet: true, judgeConcurrency: 1, judgeRetries: 1, judgeTimeout: 1, workers: 0,
    };
    await runMine(base, () => undefined);
    await runMine({ ...base, out: sat, satisfiedOnly: true }, () => undefined);
    const allLines = readFileSync(all, 'utf8').trim().split('\n');
    expect(readFileSync(sat, 'utf8').trim().split('\n')).toEqual(allLines.filter((l) => l.includes('"satisfied": true')));
  });

  it('--strict stops at the first broken trajectory; default skips and reports it', () => {
    const tdir = path.join(dir, 'broken');
    mkdirSync(tdir, { recursive: true });
    writeFileSync(path.join(tdir, 'a.json'), readFileSync(path.join(data, 'trajectories/1.json')));
    writeFileSync(path.join(tdir, 'b.json'), '{"result": [5]}');
    const base = ['mine', '--format', 'lrat', '--trajectories', tdir, '--corpus', path.join(data, 'parity/corpus.jsonl'), '--judge', 'none', '--tokenizer', 'whitespace'];
    const ok = lrat([...base, '--out', path.join(dir, 'lenient.jsonl')]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/b\.json: trajectory dropped \(field result\[0\]\): step is not an object/);
    expect(ok.stderr).toContain('1 dropped');
    const strict = lrat([...base, '--out', path.join(dir, 'strict.jsonl'), '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toMatch(/b\.json.*field result\[0\]/);
    expect(existsSync(path.join(dir, 'strict.jsonl'))).toBe(false);
  });

  it('a missing replay verdict fails the run with the text hash', () => {
    const v = path.join(dir, 'partial.jsonl');
    writeFileSync(v, readFileSync(path.join(data, 'parity/verdicts.jsonl'), 'utf8').split('\n').slice(1).join('\n'));
    const args = parityArgs(path.join(dir, 'never.jsonl'));
    args[args.indexOf('--verdicts') + 1] = v;
    const r = lrat(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no verdict for reasoning_sha256 [0-9a-f]{64}/);
    expect(existsSync(path.join(dir, 'never.jsonl'))).toBe(false);
  });

  it('explains missing options', () => {
    const r = lrat(['mine', '--trajectories', 'x', '--corpus', 'c', '--out', 'o', '--judge', 'replay']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--verdicts');
    const help = lrat(['mine', '--help']);
    expect(help.stdout).toContain('Examples:');
    const flat = help.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain('search_r1_client and tongyi_client write search outputs without doc ids');
    expect(flat).toContain('oss_client (local_knowledge_base_retrieval)');
  });

  it('mines the BrowseComp-Plus twins of the examples to the same file as the official ones, and warns when a format reads none', () => {
    const official = path.join(dir, 'official.jsonl');
    expect(lrat(parityArgs(official)).status).toBe(0);
    const bcp = path.join(dir, 'bcp.jsonl');
    const args = parityArgs(bcp);
    args[args.indexOf('--trajectories') + 1] = path.join(data, 'browsecomp-plus/openai-client');
    const auto = lrat(args.filter((a, i) => a !== '--format' && args[i - 1] !== '--format'));
    expect(auto.status).toBe(0);
    expect(readFileSync(bcp, 'utf8')).toBe(readFileSync(official, 'utf8'));
    const forced = lrat([...args.slice(0, args.indexOf('--judge')), '--judge', 'none', '--tokenizer', 'whitespace', '--out', path.join(dir, 'forced.jsonl')]);
    expect(forced.status).toBe(0);
    expect(forced.stderr).toMatch(/warning: 10 file\(s\) browse documents but yield no sample because their searches show no doc ids .*run_0\.json/);
  });
});
