import type { Trajectory } from '@lrat/trajectory';

// Why a file mined to nothing. A run whose files all mine to zero samples usually means the reader
// did not find what the miner needs (doc ids in search outputs, browse calls), not that the agent
// browsed nothing: say so, naming the files, instead of writing an empty training set silently.

export interface TrajectoryShape {
  /** Browse calls that named a doc id. */
  browses: number;
  /** Doc ids shown by search calls, over all searches. */
  shownIds: number;
}

export function trajectoryShape(t: Trajectory): TrajectoryShape {
  let browses = 0;
  let shownIds = 0;
  for (const s of t.steps) {
    if (s.type === 'browse') browses++;
    else if (s.type === 'search') shownIds += s.results.length;
  }
  return { browses, shownIds };
}

interface FileTally extends TrajectoryShape {
  samples: number;
}

const MAX_NAMED = 10;

/** Tallies browses, shown ids and samples per file; `warnings()` explains the files that gave none. */
export class ZeroYieldTracker {
  private readonly files = new Map<string, FileTally>();

  add(file: string, shape: TrajectoryShape, samples: number): void {
    const t = this.files.get(file) ?? { browses: 0, shownIds: 0, samples: 0 };
    t.browses += shape.browses;
    t.shownIds += shape.shownIds;
    t.samples += samples;
    this.files.set(file, t);
  }

  warnings(): string[] {
    const noIds: string[] = [];
    const noMatch: string[] = [];
    let browses = 0;
    let samples = 0;
    for (const [file, t] of this.files) {
      browses += t.browses;
      samples += t.samples;
      if (t.samples > 0 || t.browses === 0) continue;
      (t.shownIds === 0 ? noIds : noMatch).push(file);
    }
    const out: string[] = [];
    const named = (files: string[]) => files.slice(0, MAX_NAMED).join(', ') + (files.length > MAX_NAMED ? ` and ${files.length - MAX_NAMED} more` : '');
    if (noIds.length) {
      out.push(
        `${noIds.length} file(s) browse documents but yield no sample because their searches show no doc ids ` +
          `(search outputs are neither "DocID:" lines nor a JSON list of {docid}; BrowseComp-Plus's search-r1 and tongyi clients write none): ${named(noIds)}`,
      );
    }
    if (noMatch.length) {
      out.push(
        `${noMatch.length} file(s) browse documents but yield no sample because no browsed doc was among the search results shown before it ` +
          `and in the corpus (wrong --corpus, or doc ids written differently?): ${named(noMatch)}`,
      );
    }
    if (this.files.size > 0 && browses === 0 && samples === 0) {
      out.push(
        `no trajectory browses a document, so nothing can be mined (the miner needs get_document/visit calls; ` +
          `BrowseComp-Plus clients offer get_document only when run with --get-document)`,
      );
    }
    return out;
  }
}
