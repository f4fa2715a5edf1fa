import { writeFileAtomicSync as writeFileAtomic } from '@lrat/core';
import * as path from 'path';
import type { BenchReport, ReportFiles } from './types';
import { renderHtml, renderMarkdown } from './render';

/** Writes report.json, report.md and report.html (and questions.csv when given) into `dir`; returns their paths. */
export async function writeReport(dir: string, report: BenchReport, extra: { questionsCsv?: string } = {}): Promise<ReportFiles> {
  const files: ReportFiles = {
    dir: path.resolve(dir),
    json: path.resolve(dir, 'report.json'),
    markdown: path.resolve(dir, 'report.md'),
    html: path.resolve(dir, 'report.html'),
  };
  const html = await renderHtml(report);
  writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(files.markdown, renderMarkdown(report));
  writeFileAtomic(files.html, html);
  if (extra.questionsCsv !== undefined) {
    files.csv = path.resolve(dir, 'questions.csv');
    writeFileAtomic(files.csv, extra.questionsCsv);
  }
  return files;
}

/** The default output folder: results/<run-id>/ under `root`. */
export function defaultReportDir(root: string, runId: string): string {
  return path.join(root, 'results', runId);
}

/** A sortable, file-name-safe run id: <job>-<UTC timestamp>. */
export function makeRunId(job: string, date = new Date()): string {
  return `${job}-${date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
