import * as path from 'path';
import { mineTrajectorySync, ruleJudge, whitespaceTokenizer, MapCorpus } from '@lrat/miners';
import { createSearchTool, inMemoryDocumentStore } from '@lrat/trajectory';
import { createSimulatedAgent, loadBeirDataset, splitQuestions } from '@lrat/agents';
import { InMemoryBm25Searcher } from '@lrat/agents/testing';
import { runAgent } from '@lrat/evaluation';
import { documentText } from '@lrat/core';

// The agents' trajectories go to the miner unchanged (the bench closes that loop), and the simulator's post-browse reasoning is
// what the offline rule judge needs: evidence browses RELEVANT, useless ones NOT_RELEVANT.
it('simulated trajectories mine into samples whose judged positives are mostly gold evidence', async () => {
  const ds = await loadBeirDataset(path.resolve(__dirname, '../../../data/multihop-wiki'));
  const corpus = await ds.loadCorpus();
  const documents = inMemoryDocumentStore(corpus);
  const questions = splitQuestions(ds.questions, { seed: 11, testSize: 40 }).test;
  const tool = createSearchTool({ searcher: new InMemoryBm25Searcher(corpus.values()), documents });
  const run = await runAgent({ agent: createSimulatedAgent({ profile: 'greedy', documents }), questions, tool, seed: 4, retriever: 'bm25' });
  const minerCorpus = new MapCorpus(new Map([...corpus.values()].map((d) => [d.docid, documentText(d)])));
  let satisfiedGold = 0;
  let satisfiedOther = 0;
  let rejectedGold = 0;
  let rejectedOther = 0;
  run.trajectories.forEach((t, i) => {
    const gold = new Set(questions[i].evidence);
    for (const s of mineTrajectorySync(t, { judge: ruleJudge, tokenizer: whitespaceTokenizer, corpus: minerCorpus })) {
      const isGold = gold.has(s.pos_id[0]);
      if (s.satisfied && isGold) satisfiedGold++;
      else if (s.satisfied) satisfiedOther++;
      else if (isGold) rejectedGold++;
      else rejectedOther++;
      expect(s.reasoning_len).toBeGreaterThan(0);
      expect(s.neg_id).not.toContain(s.pos_id[0]);
    }
  });
  expect(satisfiedGold).toBeGreaterThan(30);
  expect(satisfiedGold / (satisfiedGold + satisfiedOther)).toBeGreaterThan(0.8);
  expect(rejectedOther / (rejectedOther + rejectedGold)).toBeGreaterThan(0.8);
});
