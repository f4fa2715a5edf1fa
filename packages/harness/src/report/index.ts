// Benchmark reports: the data shape (report.json) and its Markdown, HTML and console renderings.
export * from './types';
export { PAPER_AGENT_BEHAVIOUR } from './paper';
export { buildSections, mainTable, mainRuns, aggregateTable } from './sections';
export type { Section, Table } from './sections';
export { buildChartSpecs, renderSvg } from './charts';
export type { ChartSpec } from './charts';
export { renderMarkdown, renderHtml, renderConsoleTable } from './render';
export { writeReport, defaultReportDir, makeRunId } from './write';
export { markdownTable, textTable } from './format';
