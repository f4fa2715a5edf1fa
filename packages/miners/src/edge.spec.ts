import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { TrajectoryInputError } from '@lrat/trajectory';
import { mineToFile } from './mine-to-file';

// The edge-case fixtures (one file per rule, see __fixtures__/edge/README.md) against their expected output.

const fx = path.join(__dirname, '__fixtures__/edge');

it.each([0, 2])('edge-case trajectories give the expected samples, skips and drops (workers=%i)', async (workers) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lrat-edge-'));
  const issues: TrajectoryInputError[] = [];
  try {
    const out = path.join(dir, 'out.jsonl');
    const summary = await mineToFile({
      trajectories: [path.join(fx, 'trajectories')],
      format: 'lrat',
      corpus: path.join(fx, 'corpus.jsonl'),
      judge: { kind: 'replay', verdicts: path.join(fx, 'verdicts.jsonl') },
      tokenizer: 'whitespace',
      out,
      workers,
      onIssue: (e) => issues.push(e),
    });
    const strip = (t: string) => t.trim().split('\n').map((l) => l.replace(/, "reweight_rate": [^}]*\}$/, ''));
    const got = readFileSync(out, 'utf8');
    // The official builder's output, less its rows with no negative (FlagEmbedding cannot load them;
    // `lrat mine` counts them in the weights and does not write them).
    const official = readFileSync(path.join(fx, 'expected.jsonl'), 'utf8').trim().split('\n');
    const want = official.filter((l) => !l.includes('"neg": [], ')).join('\n');
    expect(official.length - want.split('\n').length).toBe(4);
    expect(strip(got)).toEqual(strip(want));
    const w = (t: string) => t.trim().split('\n').map((l) => Number(/"reweight_rate": ([^}]*)\}$/.exec(l)?.[1]));
    w(got).forEach((x, i) => expect(Math.abs(x - w(want)[i])).toBeLessThanOrEqual(1e-9));
    expect(summary).toMatchObject({ files: 24, trajectories: 15, skipped: 5, dropped: 4, samples: 28, withoutNegatives: 4, written: 24 });
    const byFile = Object.fromEntries(issues.map((e) => [path.basename(e.source.file), `${e.kind} ${e.field ?? ''} ${e.reason}`]));
    expect(byFile['20-bom.json']).toMatch(/^skipped .*Unexpected UTF-8 BOM/);
    expect(byFile['21-trailing.json']).toMatch(/^skipped .*Extra data: line 1 column 16 \(char 15\)/);
    expect(byFile['22-no-result.json']).toMatch(/^skipped .*'result'/);
    expect(byFile['27-invalid-utf8.json']).toMatch(/^skipped .*utf-8/);
    expect(byFile['28-empty.json']).toMatch(/^skipped .*Expecting value: line 1 column 1 \(char 0\)/);
    expect(byFile['24-result-null.json']).toMatch(/^dropped result expected a list of steps, got NoneType/);
    expect(byFile['25-bad-arguments.json']).toMatch(/^dropped result\[1\]\.arguments not valid JSON: Expecting value: line 1 column 11 \(char 10\)/);
    expect(byFile['26-step-not-object.json']).toMatch(/^dropped result\[3\] step is not an object \(got str\)/);
    expect(byFile['29-search-output-list.json']).toMatch(/^dropped result\[0\]\.output /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
