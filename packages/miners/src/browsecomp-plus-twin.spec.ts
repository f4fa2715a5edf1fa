import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readTrajectories } from '@lrat/trajectory';
import { mineToFile, type MineToFileOptions } from './mine-to-file';

// The 10 official example trajectories and their BrowseComp-Plus openai_client twins
// (data/lrat-examples/browsecomp-plus/openai-client, written by tools/bcp-twin/official-to-openai-client.py:
// JSON search outputs, {text, type} summary parts, get_document, query_id only) mine to the same bytes.

const data = path.resolve(__dirname, '../../../data/lrat-examples');
const twins = path.join(data, 'browsecomp-plus', 'openai-client');

describe('BrowseComp-Plus openai_client twins of the official examples', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-bcp-twin-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const mine = (name: string, o: Partial<MineToFileOptions>) =>
    mineToFile({
      trajectories: [],
      corpus: path.join(data, 'parity/corpus.jsonl'),
      judge: { kind: 'replay', verdicts: path.join(data, 'parity/verdicts.jsonl') },
      tokenizer: 'whitespace',
      out: path.join(dir, name),
      ...o,
    });

  it('are read as BrowseComp-Plus runs: query_id only, JSON results, joined summary parts', async () => {
    const kinds: string[] = [];
    for await (const it of readTrajectories([twins])) {
      expect(it.ok).toBe(true);
      if (!it.ok) continue;
      kinds.push(it.trajectory.questionId ?? '?');
      expect(it.trajectory.question).toBe('');
      const search = it.trajectory.steps.find((s) => s.type === 'search');
      expect(search?.type === 'search' && search.results.length).toBeGreaterThan(0);
    }
    expect(kinds).toHaveLength(10);
  });

  it.each([0, 2])('mine to exactly the bytes their official twins give, and to parity/expected.jsonl (workers=%i)', async (workers) => {
    const official = await mine(`official-${workers}.jsonl`, { trajectories: [path.join(data, 'trajectories')], format: 'lrat', workers });
    const bcp = await mine(`bcp-${workers}.jsonl`, { trajectories: [twins], format: 'auto', workers });
    const a = readFileSync(path.join(dir, `official-${workers}.jsonl`), 'utf8');
    const b = readFileSync(path.join(dir, `bcp-${workers}.jsonl`), 'utf8');
    expect(bcp.samples).toBe(22);
    expect(b).toBe(a);
    expect({ trajectories: bcp.trajectories, dropped: bcp.dropped, skipped: bcp.skipped }).toEqual({ trajectories: official.trajectories, dropped: 0, skipped: 0 });
    // the same samples as the official builder's own output (weights to 1e-9, as in parity.spec)
    const expected = readFileSync(path.join(data, 'parity/expected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const got = b.trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map(({ reweight_rate: _w, ...r }) => r)).toEqual(expected.map(({ reweight_rate: _w, ...r }) => r));
    got.forEach((r, i) => expect(Math.abs(r.reweight_rate - expected[i].reweight_rate)).toBeLessThanOrEqual(1e-9));
    const explicit = await mine(`bcp-explicit-${workers}.jsonl`, { trajectories: [twins], format: 'browsecomp-plus', workers });
    expect(readFileSync(path.join(dir, `bcp-explicit-${workers}.jsonl`), 'utf8')).toBe(a);
    expect(explicit.samples).toBe(22);
  });

  it('read as official files (--format lrat) they yield nothing, and the run says which files and why', async () => {
    const warnings: string[] = [];
    const s = await mine('forced-lrat.jsonl', { trajectories: [twins], format: 'lrat', judge: { kind: 'none' }, workers: 0, onWarning: (w) => warnings.push(w) });
    expect(s.samples).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/10 file\(s\) browse documents but yield no sample because their searches show no doc ids/);
    expect(warnings[0]).toContain(path.join(twins, 'run_0.json'));
  });
});
