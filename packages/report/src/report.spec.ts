import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleReport } from './__fixtures__/sample-report';
import { aggregateTable, mainTable } from './sections';
import { buildChartSpecs } from './charts';
import { markdownTable, textTable } from './format';
import { renderHtml, renderMarkdown } from './render';
import { renderConsoleTable, writeReport, makeRunId } from './index';

describe('report rendering', () => {
  it('main table holds only the main runs, one row each, with their numbers', () => {
    const t = mainTable(sampleReport());
    expect(t.rows.map((r) => `${r[0]}/${r[1]}/${r[2]}`)).toEqual(['careful/base/test', 'careful/lrat/test', 'careful/bm25/test', 'greedy/base/test', 'greedy/lrat/test', 'careful/base/train']);
    expect(t.rows[1][5]).toBe(0.6123);
  });

  it('main table falls back to every held-out run for flywheels and ablations', () => {
    const r = sampleReport();
    r.runs = r.runs.filter((x) => x.loop !== undefined);
    expect(mainTable(r).headers[0]).toBe('loop');
    expect(mainTable(r).rows.map((x) => `${x[0]}/${x[2]}`)).toEqual(['0/lrat', '1/lrat']);
    const a = sampleReport();
    a.ablation = { order: ['base', 'lrat', 'bm25', 'naive-browse', '+judge'], agent: 'mean' };
    expect(mainTable(a).rows).toHaveLength(a.runs.filter((x) => x.split === 'test').length);
  });

  it('markdown has every section, the simulated label and exact numbers', () => {
    const md = renderMarkdown(sampleReport());
    for (const h of ['## Overview', '## Agents before and after LRAT', '## Paired differences', '## Retrieval metrics', '## Data flywheel', '## Ablation', '## Mining and training', '## Sample weight distribution', '## Agent behaviour vs the paper', '## Provenance']) {
      expect(md).toContain(h);
    }
    expect(md).toContain('**SIMULATED**');
    expect(md).toContain('| careful | lrat | test | – | 20 | 0.612 | 0.306 |');
    expect(md).toContain('+49.3 %');
    expect(md).toContain('| paper (real agents) | – | – | 9–13 | 3–4 | 0.27–0.32 |');
  });

  it('omits sections without data', () => {
    const r = sampleReport();
    r.ablation = undefined;
    r.calibration = undefined;
    r.runs = r.runs.filter((x) => x.loop === undefined);
    const md = renderMarkdown(r);
    expect(md).not.toContain('## Data flywheel');
    expect(md).not.toContain('## Agent behaviour vs the paper');
    expect(buildChartSpecs(r).map((c) => c.id)).toEqual(['before-after', 'differences', 'weights']);
  });

  it('multi-seed reports: a mean ± sd table, error bars from the CIs, the summary paragraph first', () => {
    const r = sampleReport();
    r.summary = ['Agents: `x` — text only.'];
    r.aggregates = [
      { agent: 'careful', retriever: 'base', split: 'test', dataset: 'd', metric: 'evidence_recall', mean: 0.5, sd: 0.05, seeds: 3, ci95: [0.45, 0.55] },
      { agent: 'careful', retriever: 'lrat', split: 'test', dataset: 'd', metric: 'evidence_recall', mean: 0.6, sd: 0.04, seeds: 3, ci95: [0.55, 0.66] },
    ];
    const t = aggregateTable(r);
    expect(t?.rows).toEqual([
      ['careful', 'base', '3', '0.500 ± 0.050', '–', '–', '–', '–', '–'],
      ['careful', 'lrat', '3', '0.600 ± 0.040', '–', '–', '–', '–', '–'],
    ]);
    const spec = buildChartSpecs(r).find((c) => c.id === 'before-after')?.spec as { hconcat: Array<{ data: { values: Array<{ lo: number; hi: number }> }; layer: Array<{ mark: { type: string }; encoding: Record<string, { field?: string; title?: string }> }> }> };
    expect(spec.hconcat[0].data.values.map((v) => [v.lo, v.hi])).toEqual([[0.45, 0.55], [0.55, 0.66]]);
    expect(spec.hconcat[0].layer.map((l) => l.mark.type)).toEqual(['bar', 'rule']);
    expect(spec.hconcat[0].layer[0].encoding.y.title).toBe('evidence recall');
    expect(renderMarkdown(r).split('## Overview')[1].trim().startsWith('Agents: `x` — text only.')).toBe(true);
  });

  it('builds a chart for every kind of data', () => {
    expect(buildChartSpecs(sampleReport()).map((c) => c.id)).toEqual(['before-after', 'differences', 'flywheel', 'ablation', 'weights', 'calibration', 'browse-rank']);
  });

  it('html is self-contained: inline SVG charts, no script source, no external URL, escaped title', async () => {
    const html = await renderHtml(sampleReport());
    expect(html.match(/<svg /g)?.length).toBe(7);
    expect(html).toContain('LRAT in-domain &lt;test&gt;');
    expect(html).not.toMatch(/<script[^>]*\bsrc=/);
    expect(html).not.toMatch(/<link\b/);
    // XML namespace identifiers are not fetched; anything else with a scheme would be.
    const urls = (html.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^"'\s<)]*/gi) ?? []).filter((u) => !/^http:\/\/www\.w3\.org\//.test(u));
    expect(urls).toEqual([]);
    expect(html).toContain('SIMULATED');
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    expect(data).not.toBeNull();
    expect(JSON.parse((data as RegExpExecArray)[1]).runs).toHaveLength(10);
  });

  it('writes the three files atomically into the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-report-'));
    try {
      const files = await writeReport(path.join(dir, 'out'), sampleReport());
      expect(JSON.parse(fs.readFileSync(files.json, 'utf8'))).toEqual(sampleReport());
      expect(fs.readFileSync(files.markdown, 'utf8')).toBe(renderMarkdown(sampleReport()));
      expect(fs.readFileSync(files.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
      expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['report.html', 'report.json', 'report.md']);
      const withCsv = await writeReport(path.join(dir, 'csv'), sampleReport(), { questionsCsv: 'a,b\n1,2\n' });
      expect(fs.readFileSync(withCsv.csv as string, 'utf8')).toBe('a,b\n1,2\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('console table and tables align and escape', () => {
    const out = renderConsoleTable(sampleReport());
    expect(out.split('\n')[0]).toBe('SIMULATED agents — LRAT in-domain <test>');
    const t = textTable(['a', 'bb'], [['x', 1], ['yyy', null]]).split('\n');
    expect(t).toEqual(['a       bb', '---  -----', 'x    1.000', 'yyy      –']);
    expect(markdownTable(['a|b'], [['c|d']])).toBe('| a\\|b |\n| --- |\n| c\\|d |');
    expect(makeRunId('flywheel', new Date('2026-01-02T03:04:05.678Z'))).toBe('flywheel-20260102T030405Z');
  });
});
