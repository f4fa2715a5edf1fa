// Public API of @lrat/report: the benchmark report's data shape (report.json), the paper's
// reference numbers, and writing it as Markdown and HTML (with charts) or a console table.
export * from './types';
export { PAPER_AGENT_BEHAVIOUR } from './paper';
export { renderConsoleTable } from './render';
export { writeReport, defaultReportDir, makeRunId } from './write';
