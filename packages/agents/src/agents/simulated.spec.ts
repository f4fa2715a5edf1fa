import * as path from 'path';
import { TrajectorySchema, createSearchTool, type DocumentStore } from '@lrat/trajectory';
import type { Question } from '../dataset';
import { loadBm25Fixture } from '../testing/bm25-fixture';
import { createSimulatedAgent, SIMULATED_PROFILES } from './simulated';
import type { BasicSearcher } from '@lrat/core';

const MULTIHOP = path.resolve(__dirname, '../../../../data/multihop-wiki');

let questions: Question[];
let documents: DocumentStore;
let bm25: BasicSearcher;

beforeAll(async () => {
  ({ questions, documents, bm25 } = await loadBm25Fixture(MULTIHOP, { seed: 5, testSize: 60 }));
});

describe('simulated agent', () => {
  it('is deterministic by seed and produces valid trajectories that only use the tool', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const agent = createSimulatedAgent({ profile: 'careful', documents });
    const q = questions[0];
    const a = await agent.run(q, tool, { seed: 3 });
    const b = await agent.run(q, tool, { seed: 3 });
    const c = await agent.run(q, tool, { seed: 4 });
    expect(a).toEqual(b);
    expect(TrajectorySchema.parse(a)).toEqual(a);
    expect(JSON.stringify(c.steps)).not.toEqual(JSON.stringify(a.steps));
    expect(a.steps[0]).toMatchObject({ type: 'search', query: q.text });
    expect(a.steps.at(-1)?.type).toBe('answer');
    expect(a.agent).toMatchObject({ backend: 'simulated', profile: 'careful', simulated: true });
    // Every browse follows a search that showed the doc, and is followed by its reasoning.
    const shown = new Set<string>();
    a.steps.forEach((s, i) => {
      if (s.type === 'search') s.results.forEach((r) => shown.add(r.docid));
      if (s.type === 'browse') {
        expect(shown.has(s.docid)).toBe(true);
        expect(a.steps[i + 1]?.type).toBe('reasoning');
      }
    });
  });

  it('rejects an unknown profile and offers at least three', () => {
    expect(Object.keys(SIMULATED_PROFILES).length).toBeGreaterThanOrEqual(3);
    expect(() => createSimulatedAgent({ profile: 'nope', documents })).toThrow(/unknown simulated profile "nope"/);
  });
});
