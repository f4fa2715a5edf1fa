import * as path from 'path';
import { type Trajectory, createSearchTool, type DocumentStore } from '@lrat/trajectory';
import { createReaderAgent, type Question } from '@lrat/agents';
import { loadBm25Fixture } from '@lrat/agents/testing';
import type { BasicSearcher } from '@lrat/core';
import { runAgent } from '../run-agent';

// The text-only reader run over multihop questions through runAgent and judged: what it opens, accepts
// and answers (its determinism and its perception are tested in @lrat/agents).
const MULTIHOP = path.resolve(__dirname, '../../../../data/multihop-wiki');
// The rule judge's NOT_RELEVANT phrases (miners' offline judge).
const REJECT = /not relevant|irrelevant|does not mention|no information about|unrelated/i;

let questions: Question[];
let documents: DocumentStore;
let bm25: BasicSearcher;

beforeAll(async () => {
  ({ questions, documents, bm25 } = await loadBm25Fixture(MULTIHOP, { seed: 5, testSize: 40 }));
});

const browses = (t: Trajectory) => t.steps.flatMap((s, i) => (s.type === 'browse' ? [{ docid: s.docid, reasoning: t.steps[i + 1]?.type === 'reasoning' ? (t.steps[i + 1] as { text: string }).text : '' }] : []));

describe('text-only reader agent', () => {
  it('opens look-alike distractors and sometimes accepts them; rejections read as NOT_RELEVANT; accepted notes quote the document', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const run = await runAgent({ agent: createReaderAgent(), questions, tool, seed: 1, retriever: 'bm25' });
    let accepted = 0;
    let acceptedGold = 0;
    let openedGold = 0;
    let rejectedGold = 0;
    for (const [i, t] of run.trajectories.entries()) {
      const gold = new Set(questions[i].evidence);
      for (const b of browses(t)) {
        const doc = await documents.get(b.docid);
        const rejected = REJECT.test(b.reasoning);
        if (gold.has(b.docid)) openedGold++;
        if (gold.has(b.docid) && rejected) rejectedGold++;
        if (!rejected) {
          accepted++;
          if (gold.has(b.docid)) acceptedGold++;
          // "It says: <sentences of the document>": the note is written from what it read.
          const quoted = b.reasoning.split('It says: ')[1]?.split(/(?<=[.!?])\s+/)[0] ?? '';
          expect(`${doc?.title} ${doc?.text}`).toContain(quoted.slice(0, 40));
        }
      }
    }
    expect(accepted).toBeGreaterThan(10);
    // Noisy like an LLM reader: neither the qrels nor their opposite.
    expect(acceptedGold / accepted).toBeGreaterThan(0.2);
    expect(acceptedGold / accepted).toBeLessThan(0.9);
    expect(rejectedGold).toBeGreaterThan(0);
    expect(rejectedGold).toBeLessThan(openedGold);
    const s = run.results;
    expect(s.filter((r) => r.f1 > 0).length).toBeGreaterThan(3);
  });

  it('follows entities read in accepted documents (the second hop)', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const run = await runAgent({ agent: createReaderAgent(), questions: questions.slice(0, 25), tool, seed: 2, retriever: 'bm25' });
    let hops = 0;
    for (const [i, t] of run.trajectories.entries()) {
      const q = questions[i].text.toLowerCase();
      const read: string[] = [];
      for (const s of t.steps) {
        if (s.type === 'browse') read.push(`${(await documents.get(s.docid))?.text ?? ''}`.toLowerCase());
        if (s.type === 'search' && read.length > 0) {
          // A query whose first words are a name the question does not contain but an opened document does.
          const lead = s.query.split(' ').slice(0, 2).join(' ').toLowerCase();
          if (!q.includes(lead) && read.some((d) => d.includes(lead))) {
            hops++;
            break;
          }
        }
      }
    }
    expect(hops).toBeGreaterThanOrEqual(5);
  });
});
