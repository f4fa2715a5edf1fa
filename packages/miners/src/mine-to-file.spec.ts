import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { readTrajectories, type Trajectory } from '@lrat/trajectory';
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
