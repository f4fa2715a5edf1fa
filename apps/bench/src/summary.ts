import type { BenchReport } from '@lrat/report';

// The report's opening paragraph: what the agents are and may see, which judge mined the data, and
// where BM25 and the supervised upper bound stand — before any table.

const pct = (x: number) => `${Math.round(100 * x) === 0 ? 0 : Math.round(100 * x)} %`;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

/** Mean over seeds of one metric of (agent, retriever) test runs; NaN when absent. */
export function meanOf(report: BenchReport, agent: string | null, retriever: string, metric: 'evidence_recall' | 'success' | 'f1' | 'ndcg_at_10'): number {
  if (metric === 'ndcg_at_10' && agent === null) {
    const rows = report.retrieval.filter((r) => r.retriever === retriever && r.loop === undefined);
    return rows.length ? rows.reduce((s, r) => s + r.ndcg_at_10, 0) / rows.length : NaN;
  }
  const rows = report.runs.filter((r) => r.split === 'test' && r.retriever === retriever && r.agent === agent && r.loop === undefined);
  const v = rows.map((r) => r[metric]).filter((x): x is number => typeof x === 'number');
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/**
 * (lrat − base) / (gold − base): the share of the supervised upper bound's gain LRAT recovers; NaN when
 * gold beats base by less than `minGap` (a ratio of two tiny differences is noise).
 */
export function goldShare(base: number, lrat: number, gold: number, minGap = 0.01): number {
  return gold - base >= minGap ? (lrat - base) / (gold - base) : NaN;
}

export function studySummary(report: BenchReport): string[] {
  const p = report.provenance;
  const seeds = p.seeds ?? [p.seed];
  const out: string[] = [];
  const agents = p.agents.map((a) => `\`${a.name}\` — ${a.sees ?? (a.simulated ? 'simulated' : 'LLM')}`).join('; ');
  out.push(`Agents: ${agents}.`);
  const mined = report.mining.filter((m) => m.retriever === 'lrat' || m.retriever === '+reweight' || m.retriever.startsWith('lrat'));
  const purity = mined.map((m) => m.positivesGold).filter((x): x is number => typeof x === 'number');
  out.push(
    `Training data: the official LRAT miner over the agents' train trajectories; browses judged by the ${p.judges.mining}` +
      (purity.length ? `; ${pct(purity.reduce((a, b) => a + b, 0) / purity.length)} of the kept positives are gold evidence (qrels read afterwards, for this sentence only).` : '.'),
  );
  const focus = p.agents.find((a) => a.simulated && !a.readsLabels) ?? p.agents.find((a) => !a.readsLabels) ?? p.agents[0];
  const retrievers = new Set(report.runs.map((r) => r.retriever));
  if (focus && retrievers.has('base') && retrievers.has('lrat')) {
    const m = (r: string, k: 'evidence_recall' | 'success') => meanOf(report, focus.name, r, k);
    const line = (r: string) => `${r} ${f3(m(r, 'evidence_recall'))} / ${f3(m(r, 'success'))}`;
    const shown = ['base', 'lrat', 'hybrid', 'hybrid-base', 'bm25', 'gold', 'click'].filter((r) => retrievers.has(r));
    out.push(`Held-out evidence recall / success of ${focus.name} (mean over ${seeds.length} seed${seeds.length > 1 ? 's' : ''}): ${shown.map(line).join('; ')}.`);
    if (retrievers.has('gold')) {
      const er = goldShare(m('base', 'evidence_recall'), m('lrat', 'evidence_recall'), m('gold', 'evidence_recall'));
      const nd = goldShare(meanOf(report, null, 'base', 'ndcg_at_10'), meanOf(report, null, 'lrat', 'ndcg_at_10'), meanOf(report, null, 'gold', 'ndcg_at_10'));
      out.push(
        `Share of the supervised upper bound (gold − base) that LRAT recovers: ${Number.isFinite(er) ? pct(er) : 'n/a (gold beats base by < 0.01)'} of the evidence-recall gap for ${focus.name}, ${Number.isFinite(nd) ? pct(nd) : 'n/a (gold beats base by < 0.01)'} of the nDCG@10 gap (${f3(meanOf(report, null, 'base', 'ndcg_at_10'))} → ${f3(meanOf(report, null, 'lrat', 'ndcg_at_10'))}, gold ${f3(meanOf(report, null, 'gold', 'ndcg_at_10'))}, BM25 ${f3(meanOf(report, null, 'bm25', 'ndcg_at_10'))}).`,
      );
    }
    const bm = m('bm25', 'evidence_recall');
    const lr = m('lrat', 'evidence_recall');
    if (Number.isFinite(bm) && bm > lr) out.push(`BM25 is ahead of the LRAT-trained dense retriever for ${focus.name} on this data (${f3(bm)} vs ${f3(lr)} evidence recall); hybrid ${f3(m('hybrid', 'evidence_recall'))}.`);
  }
  if (p.agents.some((a) => a.readsLabels)) out.push('Rows of `oracle:*` agents are references only: those agents read the qrels, so no conclusion about LRAT rests on them.');
  return out;
}
