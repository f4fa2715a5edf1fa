import type { LratSample } from '@lrat/core';
import type { Step, Trajectory } from '@lrat/trajectory';
import type { Corpus } from './corpus';

// The official mining algorithm (docs/lrat-algorithm.md §2) as a pure function over a normalised
// trajectory. Judge verdicts and token counts come in through callbacks so the same code serves
// synchronous judges (replay, none, rule: used by worker threads) and asynchronous ones (LLM: the
// texts are collected first with judgedTexts, judged, then replayed here).

export interface MineContext {
  /** Verdict for the k-th judged text of the trajectory (true = RELEVANT). */
  verdict(text: string, k: number): boolean;
  /** Reasoning length in tokens, or null when not measured. */
  length(text: string): number | null;
  corpus: Corpus;
}

function isBrowseCall(s: Step | undefined): boolean {
  return s !== undefined && (s.type === 'browse' || (s.type === 'other' && s.browseWithoutDocid === true));
}

/** The reasoning right after step j, as the builder reads it ("" when the next step is not reasoning). */
function reasoningAfter(steps: readonly Step[], j: number): string {
  const next = steps[j + 1];
  return next !== undefined && next.type === 'reasoning' ? next.text : '';
}

/** Every text the judge is asked about, in call order: the reasoning after each browse that names a doc. */
export function judgedTexts(traj: Trajectory): string[] {
  const out: string[] = [];
  const steps = traj.steps;
  let i = 0;
  while (i < steps.length) {
    if (!isBrowseCall(steps[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < steps.length && isBrowseCall(steps[j])) {
      if (steps[j].type !== 'browse') {
        j++;
        continue;
      }
      out.push(reasoningAfter(steps, j));
      j += steps[j + 1]?.type === 'reasoning' ? 2 : 1;
    }
    i = j;
  }
  return out;
}

function uniqueInOrder(seq: Iterable<string>, drop: (d: string) => boolean): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of seq) {
    if (seen.has(d)) continue;
    seen.add(d);
    if (!drop(d)) out.push(d);
  }
  return out;
}

interface Browse {
  docid: string;
  len: number | null;
  sat: boolean;
}

/** Mine one trajectory into samples (unweighted). */
export function mineSteps(traj: Trajectory, ctx: MineContext): LratSample[] {
  const steps = traj.steps;
  const corpus = ctx.corpus;
  const samples: LratSample[] = [];
  let query = '';
  let queryJson: string | undefined;
  let history: string[][] = [];
  let rejected: string[] = [];
  let k = 0;
  let i = 0;
  while (i < steps.length) {
    const s = steps[i];
    if (s.type === 'search') {
      query = s.query;
      queryJson = s.queryJson;
      history.push(s.results.map((r) => r.docid));
      i++;
      continue;
    }
    if (!isBrowseCall(s)) {
      i++;
      continue;
    }
    // A maximal run of browse calls, each with the reasoning step that follows it.
    const run: Browse[] = [];
    let j = i;
    while (j < steps.length && isBrowseCall(steps[j])) {
      const st = steps[j];
      if (st.type !== 'browse') {
        j++; // a browse without doc id: no sample, but the run goes on
        continue;
      }
      const text = reasoningAfter(steps, j);
      const len = ctx.length(text);
      const sat = ctx.verdict(text, k++);
      run.push({ docid: st.docid, len, sat });
      j += steps[j + 1]?.type === 'reasoning' ? 2 : 1;
    }
    i = j;
    if (run.length === 0) continue;

    const runSat = new Set<string>();
    const runUnsat: string[] = [];
    for (const b of run) {
      if (b.sat) runSat.add(b.docid);
      else runUnsat.push(b.docid);
    }
    const browsed = new Set<string>(rejected);
    for (const b of run) browsed.add(b.docid);
    const searched = new Set<string>();
    const unbrowsed: string[] = [];
    for (let h = history.length - 1; h >= 0; h--) {
      for (const d of history[h]) {
        searched.add(d);
        if (!browsed.has(d)) unbrowsed.push(d);
      }
    }
    const runUnsatNear = runUnsat.slice().reverse();
    const prevNear = rejected.slice().reverse();
    let satNeg: string[] | undefined;
    for (const b of run) {
      if (!searched.has(b.docid)) continue;
      const posText = corpus.get(b.docid);
      if (posText === undefined) continue;
      let negIds: string[];
      if (b.sat) {
        satNeg ??= uniqueInOrder([...runUnsatNear, ...prevNear, ...unbrowsed], (d) => runSat.has(d) || !corpus.has(d));
        negIds = satNeg.slice();
      } else {
        const pos = b.docid;
        negIds = uniqueInOrder(
          [...runUnsatNear.filter((d) => d !== pos), ...prevNear, ...unbrowsed],
          (d) => runSat.has(d) || d === pos || !corpus.has(d),
        );
      }
      const sample: LratSample = {
        query,
        pos: [posText],
        neg: negIds.map((d) => corpus.get(d) as string),
        pos_id: [b.docid],
        neg_id: negIds,
        reasoning_len: b.len,
        satisfied: b.sat,
      };
      if (queryJson !== undefined) sample.queryJson = queryJson;
      samples.push(sample);
    }
    rejected.push(...runUnsat);
    if (runSat.size > 0) {
      history = [];
      rejected = [];
      query = '';
      queryJson = undefined;
    }
  }
  return samples;
}
