import { writeStreamAtomic } from '@lrat/core';
import type { Trajectory } from './schema';

// The writing side of the normalised JSONL format: one trajectory per line as JSON, which
// readTrajectories reads back as it was (`--format jsonl`, or detected), so trajectories held in
// memory (the bench's agents) become a file people can open and `lrat mine` can mine.

/** Writes trajectories as normalised JSONL, atomically (a temp file renamed when complete). */
export async function writeTrajectoriesJsonl(file: string, trajectories: Iterable<Trajectory> | AsyncIterable<Trajectory>): Promise<number> {
  return writeStreamAtomic(file, async (write) => {
    let n = 0;
    for await (const t of trajectories) {
      await write(JSON.stringify(t) + '\n');
      n++;
    }
    return n;
  });
}
