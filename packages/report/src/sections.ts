import type { BenchReport, RunRow } from './types';
import { fmt, pct, signed, type Cell } from './format';
import { PAPER_AGENT_BEHAVIOUR } from './paper';

// A report as an ordered list of titled tables, shared by the Markdown and HTML renderings so that
// both always show the same numbers. Charts are attached by id (see charts.ts).

export interface Table {
  headers: string[];
  rows: Cell[][];
}

export interface Section {
  id: string;
  title: string;
  /** Sentences that say how the numbers below were produced. */
  text: string[];
  tables: Table[];
  /** Ids of charts (charts.ts) drawn in this section. */
  charts: string[];
}

const RUN_HEADERS = ['agent', 'retriever', 'split', 'seed', 'questions', 'evidence recall', 'success', 'EM', 'F1', 'steps', 'searches', 'browses', 'nDCG@10'];

function runCells(r: RunRow): Cell[] {
  return [r.agent, r.retriever, r.split, r.seed === undefined ? '–' : String(r.seed), String(r.questions), r.evidence_recall, r.success, r.exact_match ?? null, r.f1 ?? null, fmt(r.steps, 2), fmt(r.search_calls, 2), fmt(r.browse_calls, 2), r.ndcg_at_10];
}

const AGG_METRICS = ['evidence_recall', 'success', 'exact_match', 'f1', 'steps', 'ndcg_at_10'];
const AGG_TITLES = ['evidence recall', 'success', 'EM', 'F1', 'steps', 'nDCG@10'];

/** mean ± sd over seeds per (agent, retriever, split) of the main runs, one column per metric. */
export function aggregateTable(report: BenchReport, split: 'train' | 'test' = 'test'): Table | null {
  const ablation = new Set(report.ablation?.order ?? []);
  const all = (report.aggregates ?? []).filter((a) => a.split === split && a.loop === undefined);
  // Like mainTable: the main runs, or every run for an ablation (whose runs are all variants).
  const main = all.filter((a) => !ablation.has(a.retriever));
  const rows = main.length > 0 ? main : all;
  if (rows.length === 0) return null;
  const keys = [...new Set(rows.map((a) => `${a.agent}\u0000${a.retriever}`))];
  const seeds = Math.max(...rows.map((a) => a.seeds));
  return {
    headers: ['agent', 'retriever', 'seeds', ...AGG_TITLES.map((t) => (seeds > 1 ? `${t} (mean ± sd)` : t))],
    rows: keys.map((k) => {
      const [agent, retriever] = k.split('\u0000');
      const cell = (m: string) => {
        const a = rows.find((x) => x.agent === agent && x.retriever === retriever && x.metric === m);
        if (!a) return '–';
        const d = m === 'steps' ? 2 : 3;
        return seeds > 1 ? `${fmt(a.mean, d)} ± ${fmt(a.sd, d)}` : fmt(a.mean, d);
      };
      return [agent, retriever, String(rows.find((x) => x.agent === agent && x.retriever === retriever)?.seeds ?? 1), ...AGG_METRICS.map(cell)];
    }),
  };
}

/** Runs outside flywheels and ablations: the before/after comparison everything else refers to. */
export function mainRuns(report: BenchReport): RunRow[] {
  const ablation = new Set(report.ablation?.order ?? []);
  return report.runs.filter((r) => r.loop === undefined && !ablation.has(r.retriever));
}

/**
 * The main table: one row per (agent, retriever, split) of the main runs; for a flywheel or an
 * ablation (no main runs) every held-out run, with its loop when it has one.
 */
export function mainTable(report: BenchReport): Table {
  const main = mainRuns(report);
  if (main.length > 0) return { headers: RUN_HEADERS, rows: main.map(runCells) };
  const test = report.runs.filter((r) => r.split === 'test');
  if (test.some((r) => r.loop !== undefined)) return { headers: ['loop', ...RUN_HEADERS], rows: test.map((r) => [String(r.loop ?? '–'), ...runCells(r)]) };
  return { headers: RUN_HEADERS, rows: test.map(runCells) };
}

function label(report: BenchReport): string {
  return report.provenance.simulated ? 'SIMULATED' : report.provenance.agents.some((a) => a.simulated) ? 'PARTLY SIMULATED' : 'REAL AGENTS';
}

export function buildSections(report: BenchReport): Section[] {
  const p = report.provenance;
  const sections: Section[] = [];
  const agents = p.agents
    .map((a) => `${a.name} (${a.backend}${a.simulated && a.backend !== 'simulated' ? ', simulated' : ''}${a.model ? `, model ${a.model}` : ''}${a.profile ? `, profile ${a.profile}` : ''}${a.readsLabels ? ', READS THE QRELS' : ''})`)
    .join('; ');
  sections.push({
    id: 'overview',
    title: 'Overview',
    text: [
      ...(report.summary ?? []),
      `Label: **${label(report)}**${p.simulated ? ' — every agent below is a simulated agent (a seeded model of a deep-research agent), not an LLM.' : ''}`,
      `Job \`${p.job}\`, run \`${p.runId}\`, created ${p.createdAt}, took ${fmt(p.durationSeconds, 1)} s, seed${(p.seeds?.length ?? 1) > 1 ? `s ${p.seeds?.join(', ')}` : ` ${p.seed}`}.`,
      `Agents: ${agents || '–'}.`,
      `Answer judge: ${p.judges.answer}. Mining judge: ${p.judges.mining}.`,
    ],
    tables: [
      {
        headers: ['dataset', 'dir', 'corpus docs', 'questions', 'train', 'test', 'split seed'],
        rows: p.datasets.map((d) => [d.name, d.dir, String(d.corpusDocs), String(d.questions), d.trainQuestions === undefined ? '–' : String(d.trainQuestions), d.testQuestions === undefined ? '–' : String(d.testQuestions), d.splitSeed === undefined ? '–' : String(d.splitSeed)]),
      },
      {
        headers: ['retriever', 'kind', 'encoder', 'how it was made'],
        rows: p.retrievers.map((r) => [r.name, r.kind, r.encoder ? `${r.encoder.id}@${r.encoder.version}` : '–', r.description]),
      },
    ],
    charts: [],
  });

  const main = mainRuns(report);
  const agg = aggregateTable(report);
  if (main.length > 0) {
    sections.push({
      id: 'runs',
      title: 'Agents before and after LRAT',
      text: [
        'Held-out questions. Each row averages one agent searching through one retriever over the questions of every seed (mean ± sd across seeds). Evidence recall: share of the question\'s gold evidence docs that appeared in any result list of its trajectory. Success: the answer judge (provenance); EM and F1 against the gold answer. Steps: tool calls (searches + browses). Error bars in the chart: bootstrap 95 % CI over questions, resampled within each seed.',
      ],
      tables: agg ? [agg] : [mainTable(report)],
      charts: ['before-after', 'differences'],
    });
    if (agg) sections.push({ id: 'runs-per-seed', title: 'Runs per seed', text: ['Every (agent, retriever, split, seed) run.'], tables: [mainTable(report)], charts: [] });
  }

  if (report.differences.length > 0) {
    sections.push({
      id: 'differences',
      title: 'Paired differences (bootstrap 95 % CI, Holm-corrected)',
      text: [
        'Treatment minus baseline over the same questions: absolute difference first, relative second. The interval is a paired bootstrap over questions, resampled within each seed; p is the two-sided bootstrap p-value, Holm-adjusted across the agent × metric rows of each baseline → treatment comparison; * = significant at 0.05 after correction. Rows of agent "raw questions" compare the retrieval table\'s scores (the raw questions as queries), paired the same way.',
      ],
      tables: [
        {
          headers: ['agent', 'metric', 'baseline', 'treatment', 'before', 'after', 'Δ', '95 % CI', 'relative', 'p', 'p (Holm)', 'sig.', 'seeds', 'questions'],
          rows: report.differences.map((d) => [d.agent, d.metric, d.baseline, d.treatment, d.before, d.after, signed(d.delta), `[${signed(d.ci95[0])}, ${signed(d.ci95[1])}]`, pct(d.relative), d.p_value ?? null, d.p_holm ?? null, d.significant ? '*' : '', d.seeds ? String(d.seeds.length) : '1', String(d.questions)]),
        },
      ],
      charts: [],
    });
  }

  if (report.retrieval.length > 0) {
    sections.push({
      id: 'retrieval',
      title: 'Retrieval metrics (BEIR)',
      text: ['Raw questions as queries against the whole corpus, graded by the dataset\'s qrels; 95 % CIs bootstrap over queries.'],
      tables: [
        {
          headers: ['retriever', 'dataset', 'split', 'seed', 'loop', 'queries', 'nDCG@10', '95 % CI', 'Recall@100', '95 % CI'],
          rows: report.retrieval.map((r) => [r.retriever, r.dataset, r.split, r.seed === undefined ? '–' : String(r.seed), r.loop === undefined ? '–' : String(r.loop), String(r.queries), r.ndcg_at_10, r.ndcg_ci95 ? `[${fmt(r.ndcg_ci95[0])}, ${fmt(r.ndcg_ci95[1])}]` : '–', r.recall_at_100, r.recall_ci95 ? `[${fmt(r.recall_ci95[0])}, ${fmt(r.recall_ci95[1])}]` : '–']),
        },
      ],
      charts: ['retrieval'],
    });
  }

  const loops = report.runs.filter((r) => r.loop !== undefined);
  if (loops.length > 0) {
    sections.push({
      id: 'flywheel',
      title: 'Data flywheel',
      text: ['Loop 0 is the base retriever; each later loop collects trajectories with the previous loop\'s retriever, mines, trains and re-indexes.'],
      tables: [{ headers: ['loop', ...RUN_HEADERS], rows: [...loops].sort((a, b) => (a.loop ?? 0) - (b.loop ?? 0) || a.agent.localeCompare(b.agent)).map((r) => [String(r.loop), ...runCells(r)]) }],
      charts: ['flywheel'],
    });
  }

  if (report.ablation) {
    const order = report.ablation.order;
    const rows = report.runs.filter((r) => order.includes(r.retriever)).sort((a, b) => order.indexOf(a.retriever) - order.indexOf(b.retriever) || a.agent.localeCompare(b.agent));
    sections.push({
      id: 'ablation',
      title: 'Ablation',
      text: ['Same trajectories, seed and training budget for every variant; only the supervision differs.'],
      tables: [{ headers: RUN_HEADERS, rows: rows.map(runCells) }],
      charts: ['ablation'],
    });
  }

  if (report.mining.length > 0 || report.training.length > 0) {
    sections.push({
      id: 'training',
      title: 'Mining and training',
      text: [],
      tables: [
        {
          headers: ['retriever', 'seed', 'trajectories', 'samples', 'kept', 'positives that are gold', 'mean negatives', 'judge'],
          rows: report.mining.map((m) => [m.retriever, m.seed === undefined ? '–' : String(m.seed), String(m.trajectories), String(m.samples), String(m.kept), m.positivesGold === undefined ? '–' : fmt(m.positivesGold, 3), fmt(m.meanNegatives, 1), m.judge]),
        },
        {
          headers: ['retriever', 'seed', 'samples', 'epochs', 'steps', 'seconds', 'backend', 'final loss'],
          rows: report.training.map((t) => [t.retriever, t.seed === undefined ? '–' : String(t.seed), String(t.samples), String(t.epochs), String(t.steps), fmt(t.seconds, 1), t.backend, t.finalLoss]),
        },
      ].filter((t) => t.rows.length > 0),
      charts: [],
    });
  }

  if (report.weights.length > 0) {
    sections.push({
      id: 'weights',
      title: 'Sample weight distribution',
      text: ['reweight_rate = (1 − exp(−len·ln2/β)) / mean, β = median positive reasoning length (docs/lrat-algorithm.md §4).'],
      tables: [{ headers: ['training set', 'samples', 'β (half-life)', 'mean', 'min', 'max'], rows: report.weights.map((w) => [w.name, String(w.samples), fmt(w.halfLife, 1), w.mean, w.min, w.max]) }],
      charts: ['weights'],
    });
  }

  if (report.calibration) {
    const paper = report.calibration.paper ?? PAPER_AGENT_BEHAVIOUR;
    const range = (r: [number, number], d: number) => `${fmt(r[0], d)}–${fmt(r[1], d)}`;
    sections.push({
      id: 'calibration',
      title: 'Agent behaviour vs the paper',
      text: [
        `Reference: ${paper.source}. Browse ranks: ${paper.browseRank}. Reasoning: ${paper.reasoningLen}.`,
        'Per task averages; ratio = browses / searches.',
      ],
      tables: [
        {
          headers: ['agent', 'tasks', 'solved', 'searches (solved)', 'browses (solved)', 'ratio (solved)', 'failed', 'searches (failed)', 'ratio (failed)', 'reasoning len evid.', 'reasoning len non-evid.'],
          rows: [
            ['paper (real agents)', '–', '–', range(paper.solved.searches, 0), range(paper.solved.browses, 0), range(paper.solved.ratio, 2), '–', 'far more', `≈ ${fmt(paper.failed.ratio, 2)}`, 'longer', 'shorter'],
            ...report.calibration.rows.map((c) => [`${c.agent}${c.simulated ? ' (simulated)' : ''}`, String(c.tasks), String(c.solved.tasks), fmt(c.solved.searches, 1), fmt(c.solved.browses, 1), fmt(c.solved.ratio, 2), String(c.failed.tasks), fmt(c.failed.searches, 1), fmt(c.failed.ratio, 2), fmt(c.reasoningLen.evidence, 1), fmt(c.reasoningLen.nonEvidence, 1)] as Cell[]),
          ],
        },
        {
          headers: ['agent', ...Array.from({ length: 10 }, (_, i) => `rank ${i + 1}`)],
          rows: report.calibration.rows.map((c) => [c.agent, ...c.browseRankShare.map((v) => fmt(v, 2))]),
        },
      ],
      charts: ['calibration', 'browse-rank'],
    });
  }

  sections.push({
    id: 'provenance',
    title: 'Provenance',
    text: [
      `Versions: ${Object.entries(p.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
      `Host: ${p.host.platform}/${p.host.arch}, ${p.host.cpus} CPUs.`,
      `Configuration: \`${JSON.stringify(p.config)}\`.`,
      ...report.notes.map((n) => `Note: ${n}`),
    ],
    tables: [{ headers: ['agent', 'retriever', 'split', 'how this row was produced'], rows: report.runs.map((r) => [r.agent, r.retriever, r.split, r.how]) }],
    charts: [],
  });
  return sections;
}
