import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { readTrajectories, TrajectoryInputError, type Trajectory } from '@lrat/trajectory';
import { linearCappedScheme } from '@lrat/weighting';
import type { Judge } from './judges';
import { mineToFile } from './mine-to-file';

// mineToFile over every input kind (official files, normalised JSONL with a torn last line, gzipped
// JSONL, OpenAI logs): worker threads and the in-process path must write identical output.

const data = path.resolve(__dirname, '../../../data/lrat-examples');

it('workers and in-process agree on mixed inputs; issues are counted', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'lrat-m2f-'));
  const dir = path.join(base, 'in');
  mkdirSync(dir);
  const issues: string[] = [];
  try {
    const trajs: Trajectory[] = [];
    for await (const it of readTrajectories([path.join(data, 'trajectories')], { format: 'lrat' })) if (it.ok) trajs.push(it.trajectory);
    const lines = trajs.map((t) => JSON.stringify(t));
    writeFileSync(path.join(dir, 'a-log.jsonl'), lines.slice(0, 6).join('\n') + '\n' + lines[6].slice(0, 50));
    writeFileSync(path.join(dir, 'b-log.jsonl.gz'), gzipSync(lines.slice(6).join('\n') + '\n'));
    writeFileSync(path.join(dir, 'c.json'), readFileSync(path.join(data, 'trajectories/4.json')));
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'hi' }] }));
    writeFileSync(path.join(dir, 'e.txt'), 'not json');
    const run = (workers: number) =>
      mineToFile({
        trajectories: [dir],
        corpus: path.join(data, 'parity/corpus.jsonl'),
        judge: { kind: 'rule' },
        tokenizer: 'whitespace',
        out: path.join(base, `out-${workers}.jsonl`),
        workers,
        onIssue: (e) => issues.push(e.message),
      });
    const inproc = await run(0);
    const threaded = await run(2);
    expect(threaded.samples).toBe(inproc.samples);
    expect(readFileSync(path.join(base, 'out-2.jsonl'), 'utf8')).toBe(readFileSync(path.join(base, 'out-0.jsonl'), 'utf8'));
    expect(issues.slice(0, 2)).toEqual(issues.slice(2));
    expect(issues[0]).toMatch(/a-log\.jsonl:7: truncated line skipped/);
    expect(issues[1]).toMatch(/e\.txt: skipped: not valid JSON/);
    expect({ t: inproc.trajectories, s: inproc.skipped, tr: inproc.truncated }).toEqual({ t: 12, s: 1, tr: 1 });
    expect({ t: threaded.trajectories, s: threaded.skipped, tr: threaded.truncated }).toEqual({ t: 12, s: 1, tr: 1 });
    expect(inproc.samples).toBeGreaterThan(20);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

describe('mineToFile on damaged input', () => {
  let base: string;
  beforeEach(() => (base = mkdtempSync(path.join(tmpdir(), 'lrat-m2f-bad-'))));
  afterEach(() => rmSync(base, { recursive: true, force: true }));
  const corpus = path.join(data, 'parity/corpus.jsonl');

  it('skips and names a 100,000-deep file and a truncated .jsonl.gz, mines the good files, on workers and in-process', async () => {
    const dir = path.join(base, 'in');
    mkdirSync(dir);
    const trajs: Trajectory[] = [];
    for await (const it of readTrajectories([path.join(data, 'trajectories')], { format: 'lrat' })) if (it.ok) trajs.push(it.trajectory);
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    writeFileSync(path.join(dir, 'a-deep.json'), deep);
    writeFileSync(path.join(dir, 'b-deep.jsonl'), `${deep}\n`);
    const gz = gzipSync(trajs.map((t) => JSON.stringify(t)).join('\n') + '\n');
    writeFileSync(path.join(dir, 'c-killed.jsonl.gz'), gz.subarray(0, gz.length - 40));
    writeFileSync(path.join(dir, 'd-good.json'), readFileSync(path.join(data, 'trajectories/4.json')));
    for (const workers of [0, 2]) {
      const issues: string[] = [];
      const s = await mineToFile({ trajectories: [dir], corpus, judge: { kind: 'rule' }, tokenizer: 'whitespace', out: path.join(base, `out-${workers}.jsonl`), workers, onIssue: (e) => issues.push(e.message) });
      expect(issues[0]).toMatch(/a-deep\.json: skipped/);
      expect(issues[1]).toMatch(/b-deep\.jsonl:1: skipped/);
      expect(issues[2]).toMatch(/c-killed\.jsonl\.gz:\d+: skipped: the rest of the file is unreadable \(gzip: unexpected end of file\)/);
      expect(s.trajectories).toBeGreaterThan(1);
      expect(s.samples).toBeGreaterThan(0);
    }
  });

  it('empty or unusable input fails with a clear message and leaves --out untouched', async () => {
    const out = path.join(base, 'pairs.jsonl');
    writeFileSync(out, 'precious\n');
    const empty = path.join(base, 'empty');
    mkdirSync(empty);
    const run = (dir: string) => mineToFile({ trajectories: [dir], corpus, judge: { kind: 'rule' }, tokenizer: 'whitespace', out, workers: 0 });
    await expect(run(empty)).rejects.toThrow(/no trajectory files in .*empty; .*pairs\.jsonl left untouched/);
    const junk = path.join(base, 'junk');
    mkdirSync(junk);
    writeFileSync(path.join(junk, 'a.txt'), 'not json');
    writeFileSync(path.join(junk, 'b.json'), '{"x": 1}');
    await expect(run(junk)).rejects.toThrow(/none of the 2 files held a usable trajectory \(2 skipped, 0 dropped, 0 truncated lines\); .*pairs\.jsonl left untouched/);
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    expect(readdirSync(base).filter((n) => n.startsWith('pairs.jsonl.'))).toEqual([]);
  });

  it("removes the spool and temp files a killed run left (dead PID only), keeping everyone else's", async () => {
    const out = path.join(base, 'pairs.jsonl');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const stale = [`pairs.jsonl.spool-${dead}-1700000000000`, `pairs.jsonl.tmp-${dead}-1700000000000`, `stats.json.tmp-${dead}-1700000000001`];
    const kept = [`pairs.jsonl.spool-${process.ppid}-1700000000000`, 'pairs.jsonl.spool-notes', 'other.jsonl.tmp-1-2'];
    for (const n of [...stale, ...kept]) writeFileSync(path.join(base, n), 'x');
    await mineToFile({ trajectories: [path.join(data, 'trajectories')], format: 'lrat', corpus, judge: { kind: 'rule' }, tokenizer: 'whitespace', out, stats: path.join(base, 'stats.json'), workers: 0 });
    expect(readdirSync(base).sort()).toEqual([...kept, 'pairs.jsonl', 'stats.json'].sort());
  });
});

describe('mineToFile: issues, strict runs, judge outages and weighting schemes', () => {
  let base: string;
  let dir: string;
  let trajectories: number;
  const corpus = path.join(data, 'parity/corpus.jsonl');
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'lrat-m2f-issues-'));
    dir = path.join(base, 'in');
    mkdirSync(dir);
    const trajs: Trajectory[] = [];
    for await (const it of readTrajectories([path.join(data, 'trajectories')], { format: 'lrat' })) if (it.ok) trajs.push(it.trajectory);
    trajectories = trajs.length;
    const lines = trajs.map((t) => JSON.stringify(t));
    // Line 7 of a-log.jsonl is torn (a writer killed mid-line); its trajectory comes whole in b-log.jsonl.
    writeFileSync(path.join(dir, 'a-log.jsonl'), lines.slice(0, 6).join('\n') + '\n' + lines[6].slice(0, 50));
    writeFileSync(path.join(dir, 'b-log.jsonl'), lines.slice(6).join('\n') + '\n');
    writeFileSync(path.join(dir, 'e.txt'), 'not json');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const mine = (name: string, extra: Partial<Parameters<typeof mineToFile>[0]>) =>
    mineToFile({ trajectories: [dir], corpus, judge: { kind: 'rule' }, tokenizer: 'whitespace', out: path.join(base, name), ...extra });

  it.each([0, 2])('reports each issue structured (kind, file, line), in input order (workers=%i)', async (workers) => {
    const issues: TrajectoryInputError[] = [];
    const s = await mine(`issues-${workers}.jsonl`, { workers, onIssue: (e) => issues.push(e) });
    expect(issues.every((e) => e instanceof TrajectoryInputError)).toBe(true);
    expect(issues.map((e) => [e.kind, path.basename(e.source.file), e.source.line])).toEqual([['truncated', 'a-log.jsonl', 7], ['skipped', 'e.txt', undefined]]);
    expect({ t: s.trajectories, s: s.skipped, d: s.dropped, tr: s.truncated }).toEqual({ t: trajectories, s: 1, d: 0, tr: 1 });
  });

  it.each([0, 2])('strict stops at the first broken input, leaving no output; a truncated line never stops a run (workers=%i)', async (workers) => {
    await expect(mine(`strict-${workers}.jsonl`, { workers, strict: true })).rejects.toThrow(/e\.txt: skipped: not valid JSON/);
    expect(existsSync(path.join(base, `strict-${workers}.jsonl`))).toBe(false);
  });

  it('writes into a folder that does not exist yet', async () => {
    const s = await mine(path.join('new', 'deeper', 'pairs.jsonl'), { workers: 0 });
    expect(readFileSync(path.join(base, 'new', 'deeper', 'pairs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(s.written);
  });

  it('a judge that cannot answer stops the run instead of dropping trajectories', async () => {
    const down: Judge = { name: 'down', judge: () => Promise.reject(new Error('judge endpoint unreachable')) };
    await expect(mine('down.jsonl', { judgeInstance: down })).rejects.toThrow(/judge endpoint unreachable/);
    expect(existsSync(path.join(base, 'down.jsonl'))).toBe(false);
  });

  it('a weighting scheme by name weighs every mined sample; --satisfied-only keeps those weights', async () => {
    const all = await mine('capped.jsonl', { weighting: 'linear-capped:100', workers: 0 });
    await mine('capped-sat.jsonl', { weighting: 'linear-capped:100', satisfiedOnly: true, workers: 0 });
    const rows = readFileSync(path.join(base, 'capped.jsonl'), 'utf8').trim().split('\n');
    const parsed = rows.map((l) => JSON.parse(l) as { reasoning_len: number | null; satisfied: boolean; reweight_rate: number });
    // Every mined sample is a row here, so the scheme over the rows' lengths is the scheme over the run.
    expect(all.withoutNegatives).toBe(0);
    expect(parsed.map((r) => r.reweight_rate)).toEqual(Array.from(linearCappedScheme(100).weights(parsed.map((r) => r.reasoning_len))));
    expect(new Set(parsed.map((r) => r.reweight_rate)).size).toBeGreaterThan(2);
    expect(parsed.some((r) => !r.satisfied)).toBe(true);
    expect(readFileSync(path.join(base, 'capped-sat.jsonl'), 'utf8').trim().split('\n')).toEqual(rows.filter((_, i) => parsed[i].satisfied));
  });
});
