import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readTrajectories } from './read';
import type { Trajectory } from './schema';
import { writeTrajectoriesJsonl } from './write';

// What the writer puts in a file is what the reader gives back, field for field, whatever the text.

const full: Trajectory = {
  id: 'reader/q7#2',
  questionId: 'q7',
  question: 'Which café — “Zürich” 🚲 or \u2028 the other?',
  answer: null,
  finalAnswer: 'Zürich',
  agent: { name: 'reader', backend: 'simulated', simulated: true, profile: 'x', extra: { nested: [1, 2.5, null] } },
  metadata: { seed: 13, acceptedDocs: ['d1'], answerConfidence: 0.125 },
  steps: [
    { type: 'reasoning', text: 'start\nwith "quotes" and a lone \ud800 surrogate', timestamp: '2026-01-01T00:00:00.000Z' },
    { type: 'search', query: 'café', queries: ['café', 'zürich'], queryJson: '["café"]', index: 'bm25@1', results: [{ docid: 'd1', rank: 1, score: -0.5, snippet: 'a\tb' }, { docid: 'd2', rank: 2, score: 1e-7 }, { docid: 'd3' }] },
    { type: 'browse', docid: 'd1', tool: 'get_document' },
    { type: 'other', browseWithoutDocid: true },
    { type: 'other', tool: 'calc', text: '1+1' },
    { type: 'answer', text: 'Zürich' },
  ],
};
const bare: Trajectory = { id: 't2', question: 'q', steps: [] };

describe('writeTrajectoriesJsonl', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-write-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['auto', 'jsonl'] as const)('writes what readTrajectories reads back as it was (format %s), in order', async (format) => {
    const file = path.join(dir, 'sub', 'runs.jsonl');
    expect(await writeTrajectoriesJsonl(file, [full, bare, full])).toBe(3);
    const back: Trajectory[] = [];
    for await (const it of readTrajectories([file], { format, strict: true })) if (it.ok) back.push(it.trajectory);
    expect(back).toEqual([full, bare, full]);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
  });

  it('leaves an existing file untouched when the input fails midway', async () => {
    const file = path.join(dir, 'runs.jsonl');
    await writeTrajectoriesJsonl(file, [bare]);
    async function* failing(): AsyncGenerator<Trajectory> {
      yield full;
      throw new Error('agent crashed');
    }
    await expect(writeTrajectoriesJsonl(file, failing())).rejects.toThrow(/agent crashed/);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(bare) + '\n');
    expect(readdirSync(dir)).toEqual(['runs.jsonl']);
  });
});
