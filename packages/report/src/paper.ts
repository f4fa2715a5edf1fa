import type { PaperAgentBehaviour } from './types';

// The paper's measured agent behaviour (arXiv 2604.04949, Table 1 and fig. 4c/4d): ranges over its six
// agents. Reports print the simulator's statistics beside these, so the simulator can be judged by them.
export const PAPER_AGENT_BEHAVIOUR: PaperAgentBehaviour = {
  source: 'arXiv 2604.04949, Table 1 and fig. 4c/4d (ranges over six agents, 4B–358B)',
  solved: { searches: [9, 13], browses: [3, 4], ratio: [0.27, 0.32] },
  failed: { ratio: 0.2, note: 'far more searches than solved tasks, browse/search ratio ≈ 0.2' },
  browseRank: 'roughly uniform over ranks 1–10 (fig. 4c), unlike position-biased human clicks',
  reasoningLen: 'longer post-browse reasoning after evidence documents than after non-evidence ones (fig. 4d)',
};
