// Small formatting helpers shared by the Markdown, HTML and console renderings.

export type Cell = string | number | null | undefined;

/** A number for a table: fixed digits, "–" for missing values. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

/** A signed relative change as a percentage ("+12.5 %"). */
export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const s = (100 * value).toFixed(digits);
  return `${value > 0 ? '+' : ''}${s} %`;
}

export function signed(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}`;
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return '–';
  return typeof c === 'number' ? fmt(c) : c;
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `| ${headers.map(esc).join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => esc(cellText(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** A fixed-width text table for the console; first column left-aligned, the rest right-aligned. */
export function textTable(headers: string[], rows: Cell[][]): string {
  const all = [headers, ...rows.map((r) => r.map(cellText))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Numbers (and signed percentages, intervals, dashes) align right; words align left.
function isNumeric(c: Cell): boolean {
  return typeof c === 'number' || c === null || c === undefined || /^[\s\d.,+\-–%[\]≈]+$/.test(c);
}

export function htmlTable(headers: string[], rows: Cell[][]): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${r.map((c) => `<td${isNumeric(c) ? ' class="num"' : ''}>${escapeHtml(cellText(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
