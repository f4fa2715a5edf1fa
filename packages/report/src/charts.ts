import type { BenchReport, RunRow } from './types';
import { mainRuns } from './sections';

// Vega-Lite specifications built from the report data (pure), and their server-side rendering to
// SVG with vega (ESM-only, hence the dynamic imports). The HTML report inlines the SVGs, so it
// needs no script and no network.

export interface ChartSpec {
  id: string;
  title: string;
  spec: Record<string, unknown>;
}

const METRICS = [
  { field: 'evidence_recall', title: 'evidence recall' },
  { field: 'success', title: 'success' },
  { field: 'steps', title: 'steps' },
];

const WIDTH = 220;
const HEIGHT = 160;

const NDCG = { field: 'ndcg_at_10', title: 'nDCG@10' };

/** One data point per (run, metric), carrying `keys(run)`; metrics a run lacks (null) are left out. */
function metricValues<K extends Record<string, unknown>>(rows: readonly RunRow[], metrics: readonly { field: string; title: string }[], keys: (r: RunRow) => K) {
  return rows
    .flatMap((r) => metrics.map((m) => ({ ...keys(r), metric: m.title, value: (r as unknown as Record<string, number | null>)[m.field] })))
    .filter((v) => v.value !== null);
}

/** Small multiples: one panel per metric, each with its own y scale. */
function facetByMetric(values: unknown[], panel: Record<string, unknown>): Record<string, unknown> {
  return {
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['evidence recall', 'success', 'steps', 'nDCG@10'] } },
    spec: { width: WIDTH, height: HEIGHT, ...panel },
    resolve: { scale: { y: 'independent' } },
  };
}

function suffix(report: BenchReport): string {
  return report.provenance.simulated ? ' (simulated agents)' : '';
}

const MAIN_ORDER = ['base', 'lrat', 'hybrid', 'hybrid-base', 'bm25', 'gold', 'click'];
const MAIN_METRICS = [
  { field: 'evidence_recall', title: 'evidence recall' },
  { field: 'success', title: 'success (answer judge)' },
  { field: 'f1', title: 'answer F1' },
  { field: 'steps', title: 'steps per question' },
];

/** One panel per metric (each with its own titled y axis): bars of the mean, error bars of the CI. */
function barsWithErrors(values: Array<Record<string, unknown>>, metrics: ReadonlyArray<{ field: string; title: string }>, x: string, xTitle: string, group: string, groupOrder: string[], xOrder?: string[]): Record<string, unknown> {
  return {
    hconcat: metrics
      .filter((m) => values.some((v) => v.metric === m.field))
      .map((m) => ({
        title: m.title,
        width: WIDTH,
        height: HEIGHT,
        data: { values: values.filter((v) => v.metric === m.field) },
        encoding: {
          x: { field: x, type: 'nominal', title: xTitle, ...(xOrder ? { sort: xOrder } : {}) },
          xOffset: { field: group, type: 'nominal', sort: groupOrder },
        },
        layer: [
          { mark: { type: 'bar' }, encoding: { y: { field: 'mean', type: 'quantitative', title: m.title }, color: { field: group, type: 'nominal', sort: groupOrder, title: group } } },
          { mark: { type: 'rule', color: '#222' }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        ],
      })),
  };
}

function beforeAfter(report: BenchReport): ChartSpec | null {
  const agg = (report.aggregates ?? []).filter((a) => a.split === 'test' && a.loop === undefined && MAIN_ORDER.includes(a.retriever));
  if (agg.length > 0) {
    const values = agg.map((a) => ({ agent: a.agent, retriever: a.retriever, metric: a.metric, mean: a.mean, lo: a.ci95?.[0] ?? a.mean, hi: a.ci95?.[1] ?? a.mean }));
    return {
      id: 'before-after',
      title: `Held-out questions: every agent with base, LRAT, hybrid, BM25 and the gold upper bound (bars: mean over seeds; error bars: bootstrap 95 % CI)${suffix(report)}`,
      spec: barsWithErrors(values, MAIN_METRICS, 'agent', 'agent', 'retriever', MAIN_ORDER.filter((r) => agg.some((a) => a.retriever === r))),
    };
  }
  const rows = mainRuns(report).filter((r) => r.split === 'test');
  if (rows.length === 0) return null;
  return {
    id: 'before-after',
    title: `Held-out questions: each agent with each retriever${suffix(report)}`,
    spec: facetByMetric(metricValues(rows, METRICS, (r) => ({ agent: r.agent, retriever: r.retriever })), {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'agent', type: 'nominal', title: null },
        xOffset: { field: 'retriever', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'retriever', type: 'nominal' },
        tooltip: [{ field: 'agent' }, { field: 'retriever' }, { field: 'value', format: '.3f' }],
      },
    }),
  };
}

/** Paired differences (treatment − baseline) with their CIs, one panel per metric, zero marked. */
function differencesChart(report: BenchReport): ChartSpec | null {
  const rows = report.differences.filter((d) => d.split === 'test');
  if (rows.length === 0) return null;
  const values = rows.map((d) => ({ agent: d.agent, comparison: `${d.treatment} − ${d.baseline}`, metric: d.metric, delta: d.delta, lo: d.ci95[0], hi: d.ci95[1], significant: d.significant ? 'yes (Holm)' : 'no' }));
  const comparisons = [...new Set(values.map((v) => v.comparison))];
  return {
    id: 'differences',
    title: `Paired differences with bootstrap 95 % CIs (filled: significant after Holm)${suffix(report)}`,
    spec: {
      hconcat: [...MAIN_METRICS, NDCG].filter((m) => values.some((v) => v.metric === m.field)).map((m) => ({
        title: `Δ ${m.title}`,
        width: WIDTH,
        height: HEIGHT,
        data: { values: values.filter((v) => v.metric === m.field) },
        encoding: { x: { field: 'agent', type: 'nominal', title: 'agent' }, xOffset: { field: 'comparison', type: 'nominal', sort: comparisons } },
        layer: [
          { mark: { type: 'rule', color: '#888' }, encoding: { y: { field: 'lo', type: 'quantitative', title: `Δ ${m.title} (treatment − baseline)` }, y2: { field: 'hi' }, color: { field: 'comparison', type: 'nominal', sort: comparisons } } },
          { mark: { type: 'point', size: 50 }, encoding: { y: { field: 'delta', type: 'quantitative' }, color: { field: 'comparison', type: 'nominal', sort: comparisons, title: 'comparison' }, fill: { field: 'significant', type: 'nominal', scale: { domain: ['yes (Holm)', 'no'], range: ['#333', 'white'] }, title: 'significant' } } },
          { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' }, encoding: { x: null, xOffset: null, y: { field: 'zero', type: 'quantitative' } } },
        ],
      })),
    },
  };
}

/** nDCG@10 and Recall@100 per retriever with bootstrap CIs over queries, one mark per seed. */
function retrievalChart(report: BenchReport): ChartSpec | null {
  const rows = report.retrieval.filter((r) => r.loop === undefined && r.ndcg_ci95);
  if (rows.length === 0) return null;
  const values = rows.flatMap((r) => [
    { retriever: r.retriever, dataset: r.dataset, seed: String(r.seed ?? '–'), metric: 'ndcg', mean: r.ndcg_at_10, lo: r.ndcg_ci95?.[0], hi: r.ndcg_ci95?.[1] },
    { retriever: r.retriever, dataset: r.dataset, seed: String(r.seed ?? '–'), metric: 'recall', mean: r.recall_at_100, lo: r.recall_ci95?.[0], hi: r.recall_ci95?.[1] },
  ]);
  const order = MAIN_ORDER.filter((x) => rows.some((r) => r.retriever === x)).concat([...new Set(rows.map((r) => r.retriever))].filter((x) => !MAIN_ORDER.includes(x)));
  return {
    id: 'retrieval',
    title: 'Retrieval metrics on the raw held-out questions (one bar per seed; error bars: bootstrap 95 % CI over queries)',
    spec: barsWithErrors(values, [{ field: 'ndcg', title: 'nDCG@10' }, { field: 'recall', title: 'Recall@100' }], 'retriever', 'retriever', 'seed', [...new Set(values.map((v) => v.seed))], order),
  };
}

function flywheel(report: BenchReport): ChartSpec | null {
  const rows = report.runs.filter((r) => r.loop !== undefined && r.split === 'test');
  if (rows.length === 0) return null;
  return {
    id: 'flywheel',
    title: `Flywheel: metrics per loop on held-out questions${suffix(report)}`,
    spec: facetByMetric(metricValues(rows, [...METRICS, NDCG], (r) => ({ loop: r.loop, agent: r.agent })), {
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'loop', type: 'ordinal', title: 'loop' },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'agent', type: 'nominal' },
      },
    }),
  };
}

function ablation(report: BenchReport): ChartSpec | null {
  if (!report.ablation) return null;
  const order = report.ablation.order;
  const rows = report.runs.filter((r) => order.includes(r.retriever) && r.split === 'test');
  if (rows.length === 0) return null;
  return {
    id: 'ablation',
    title: `Ablation: each supervision variant${suffix(report)}`,
    spec: facetByMetric(metricValues(rows, METRICS, (r) => ({ variant: r.retriever, agent: r.agent })), {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'variant', type: 'nominal', sort: order, title: null },
        xOffset: { field: 'agent', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'agent', type: 'nominal' },
      },
    }),
  };
}

function weights(report: BenchReport): ChartSpec | null {
  const values = report.weights.flatMap((w) => w.bins.map((b) => ({ set: w.name, lo: b.lo, hi: b.hi, count: b.count })));
  if (values.length === 0) return null;
  return {
    id: 'weights',
    title: 'Distribution of LRAT sample weights (reweight_rate)',
    spec: {
      data: { values },
      width: 2 * WIDTH,
      height: HEIGHT,
      mark: { type: 'bar', opacity: 0.7 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', bin: { binned: true }, title: 'reweight_rate' },
        x2: { field: 'hi' },
        y: { field: 'count', type: 'quantitative', stack: null, title: 'samples' },
        color: { field: 'set', type: 'nominal', title: 'training set' },
      },
    },
  };
}

function calibration(report: BenchReport): ChartSpec[] {
  const cal = report.calibration;
  if (!cal || cal.rows.length === 0) return [];
  const paper = cal.paper;
  const stats = [
    { key: 'searches per solved task', get: (c: (typeof cal.rows)[number]) => c.solved.searches, ref: paper.solved.searches },
    { key: 'browses per solved task', get: (c: (typeof cal.rows)[number]) => c.solved.browses, ref: paper.solved.browses },
    { key: 'browse/search ratio (solved)', get: (c: (typeof cal.rows)[number]) => c.solved.ratio, ref: paper.solved.ratio },
    { key: 'browse/search ratio (failed)', get: (c: (typeof cal.rows)[number]) => c.failed.ratio, ref: [paper.failed.ratio, paper.failed.ratio] as [number, number] },
  ];
  const values = stats.flatMap((s) => cal.rows.filter((c) => Number.isFinite(s.get(c))).map((c) => ({ stat: s.key, agent: c.agent, value: s.get(c), lo: s.ref[0], hi: s.ref[1] })));
  const ranks = cal.rows.flatMap((c) => c.browseRankShare.map((share, i) => ({ agent: c.agent, rank: i + 1, share })));
  const charts: ChartSpec[] = [
    {
      id: 'calibration',
      title: `Agent behaviour vs the paper's Table 1 (grey band: paper's range over real agents)${suffix(report)}`,
      spec: {
        data: { values },
        facet: { column: { field: 'stat', type: 'nominal', title: null, sort: stats.map((x) => x.key) } },
        spec: {
          width: 160,
          height: HEIGHT,
          layer: [
            { mark: { type: 'rect', color: '#ccc', opacity: 0.6 }, encoding: { y: { aggregate: 'min', field: 'lo', type: 'quantitative' }, y2: { aggregate: 'max', field: 'hi' } } },
            { mark: { type: 'rule', color: '#888' }, encoding: { y: { aggregate: 'min', field: 'lo', type: 'quantitative' } } },
            { mark: { type: 'bar', width: { band: 0.5 }, opacity: 0.85 }, encoding: { x: { field: 'agent', type: 'nominal', title: null }, y: { field: 'value', type: 'quantitative', title: null }, color: { field: 'agent', type: 'nominal' } } },
          ],
        },
        resolve: { scale: { y: 'independent' } },
      },
    },
  ];
  if (ranks.length > 0) {
    charts.push({
      id: 'browse-rank',
      title: `Share of browses by result rank (paper, fig. 4c: roughly uniform over 1–10)${suffix(report)}`,
      spec: {
        data: { values: ranks },
        width: 2 * WIDTH,
        height: HEIGHT,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'rank', type: 'ordinal' },
          y: { field: 'share', type: 'quantitative', title: 'share of browses' },
          color: { field: 'agent', type: 'nominal' },
        },
      },
    });
  }
  return charts;
}

/** Every chart the report's data supports, in display order. */
export function buildChartSpecs(report: BenchReport): ChartSpec[] {
  return [beforeAfter(report), differencesChart(report), retrievalChart(report), flywheel(report), ablation(report), weights(report), ...calibration(report)].filter((c): c is ChartSpec => c !== null);
}

/** Compiles a Vega-Lite spec and renders it to an SVG string without a browser. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // Dynamic imports stay native under module node16: vega and vega-lite are ESM-only.
  const vega = await import('vega');
  const vl = await import('vega-lite');
  const compiled = vl.compile({ config: { font: 'sans-serif' }, ...spec } as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
