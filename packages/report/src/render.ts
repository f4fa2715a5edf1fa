import type { BenchReport } from './types';
import { aggregateTable, buildSections, mainTable } from './sections';
import { buildChartSpecs, renderSvg } from './charts';
import { escapeHtml, htmlTable, markdownTable, textTable } from './format';

/** report.md: every section as Markdown tables (charts live in report.html). */
export function renderMarkdown(report: BenchReport): string {
  const parts = [`# ${report.title}`, ''];
  for (const s of buildSections(report)) {
    parts.push(`## ${s.title}`, '');
    for (const t of s.text) parts.push(t, '');
    for (const t of s.tables) parts.push(markdownTable(t.headers, t.rows), '');
  }
  return parts.join('\n');
}

/** The console's main table (agents × retrievers). */
export function renderConsoleTable(report: BenchReport): string {
  const t = aggregateTable(report) ?? mainTable(report);
  const head = report.provenance.simulated ? 'SIMULATED agents — ' : '';
  return `${head}${report.title}\n${textTable(t.headers, t.rows)}`;
}

// Markdown emphasis and code in section text, rendered minimally for HTML.
function inline(text: string): string {
  return escapeHtml(text).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>');
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem;font-size:0.9rem}th,td{border:1px solid #ddd;padding:0.25rem 0.5rem}
th{background:#f4f4f4;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.banner{background:#fff3cd;border:1px solid #e0c36a;padding:0.5rem 1rem;font-weight:bold}
figure{margin:1rem 0;overflow-x:auto}figcaption{font-size:0.9rem;color:#555;margin-bottom:0.25rem}code{font-size:0.85em;word-break:break-all}`;

/**
 * report.html: self-contained (inline CSS and SVG charts, no script, no external URL), so it opens
 * anywhere offline and can be attached to an issue as is.
 */
export async function renderHtml(report: BenchReport): Promise<string> {
  const charts = new Map<string, string>();
  for (const c of buildChartSpecs(report)) {
    const svg = await renderSvg(c.spec);
    charts.set(c.id, `<figure id="chart-${c.id}"><figcaption>${escapeHtml(c.title)}</figcaption>${svg}</figure>`);
  }
  const body: string[] = [`<h1>${escapeHtml(report.title)}</h1>`];
  if (report.provenance.simulated) {
    body.push(`<p class="banner">SIMULATED: every agent in this report is a seeded simulation of a deep-research agent, not an LLM.${report.provenance.agents.some((a) => a.readsLabels) ? ' Agents named oracle:* read the qrels (gold evidence); simulated:reader reads text only.' : ''}</p>`);
  }
  for (const s of buildSections(report)) {
    body.push(`<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>`);
    for (const t of s.text) body.push(`<p>${inline(t)}</p>`);
    for (const id of s.charts) {
      const chart = charts.get(id);
      if (chart) body.push(chart);
    }
    for (const t of s.tables) body.push(htmlTable(t.headers, t.rows));
    body.push('</section>');
  }
  body.push(`<script type="application/json" id="report-data">${JSON.stringify(report).replace(/</g, '\\u003c')}</script>`);
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(report.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body.join('\n')}\n</body>\n</html>\n`;
}
