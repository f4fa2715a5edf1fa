import type { TrajectoryInputError } from '@lrat/trajectory';

// One run's count of what it mined and what it could not read, the way `lrat mine` reports it.

export interface IssueCounts {
  /** Trajectories mined (including those that yielded no sample). */
  trajectories: number;
  skipped: number;
  dropped: number;
  truncated: number;
}

/** Counts a run's trajectories and issues; throws under `strict` (a truncated line never stops a run). */
export class IssueTally {
  readonly counts: IssueCounts = { trajectories: 0, skipped: 0, dropped: 0, truncated: 0 };
  constructor(private readonly o: { strict?: boolean; onIssue?: (e: TrajectoryInputError) => void }) {}
  mined(): void {
    this.counts.trajectories++;
  }
  issue(e: TrajectoryInputError): void {
    this.counts[e.kind]++;
    if (this.o.strict && e.kind !== 'truncated') throw e;
    this.o.onIssue?.(e);
  }
}
