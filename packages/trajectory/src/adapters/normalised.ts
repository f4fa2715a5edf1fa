import { FieldError } from '../errors';
import { TrajectorySchema, type Trajectory } from '../schema';

// Our own normalised trajectories (what the agents and the server write, one per JSONL line).

export function isNormalisedTrajectory(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { steps?: unknown }).steps);
}

export function normalisedToTrajectory(v: unknown): Trajectory {
  const r = TrajectorySchema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)';
  throw new FieldError(field, issue.message);
}
