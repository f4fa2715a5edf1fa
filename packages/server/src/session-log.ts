import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TrajectorySchema, type AgentInfo, type Step, type Trajectory } from '@lrat/trajectory';

/**
 * Records sessions as trajectories in the @lrat/trajectory schema.
 *
 * On-disk form (the choice: "append-only event log per session + compaction on close"):
 * - `<logDir>/.open-sessions/<hash>.events.jsonl`: one JSON event per line for each open session,
 *   appended with a synchronous write before the request that caused it is answered, so a crash
 *   (kill -9) loses at most the event in flight; a torn last line is skipped on recovery.
 * - On close (MCP disconnect/DELETE, explicit close, idle timeout, server shutdown) the session is
 *   compacted into ONE normalised Trajectory JSON line appended to `<logDir>/trajectories-*.jsonl`,
 *   rotated by size. Those files are what `lrat mine --trajectories <logDir>` reads;
 *   the open-session folder is a sub-folder, which directory readers skip.
 * - On start, event logs left by a crash are compacted the same way (metadata.closeReason
 *   "recovered"). A log is renamed to `.closing` before its line is appended, so a crash between the
 *   append and the unlink cannot produce a duplicate: recovery checks `.closing` ids against the files.
 * Sessions with no steps (e.g. a client that only listed tools) write no trajectory.
 */
export interface SessionLogOptions {
  dir: string;
  /** Start a new trajectories file when the current one reaches this size. Default 64 MiB. */
  rotateBytes?: number;
  /**
   * Retention: when the trajectories files this server wrote (trajectories-<stamp>-<pid>-<seq>.jsonl)
   * exceed this many bytes in all, the oldest closed ones are removed at each rotation. 0 = keep all.
   */
  maxLogBytes?: number;
  /** fsync after every event: survives power loss, not only process death. Default false. */
  fsync?: boolean;
  now?: () => Date;
}

export interface SessionStart {
  transport: string;
  agent?: AgentInfo;
  question?: string;
}

type LogEvent =
  | { e: 'open'; session: string; trajectory: string; at: string; transport: string; agent?: AgentInfo; question?: string }
  | { e: 'step'; step: Step }
  | { e: 'set'; question?: string; finalAnswer?: string; agent?: AgentInfo };

interface OpenSession {
  trajectory: Trajectory;
  file: string;
  lastActivity: number;
}

export interface RecoveryReport {
  recovered: number;
  /** Event logs that held no steps (nothing to write). */
  empty: number;
  /** Torn or unreadable event lines that were skipped (at most one per crashed session is expected). */
  skippedLines: number;
}

export const OPEN_DIR = '.open-sessions';
/** The names of the trajectories files a SessionLog writes (see rotate()); retention touches only these. */
const OWN_TRAJECTORIES_FILE = /^trajectories-\d{8}T\d{6}Z-\d+-\d{4,}\.jsonl$/;

export class SessionLog {
  readonly dir: string;
  private readonly openDir: string;
  private readonly rotateBytes: number;
  private readonly maxLogBytes: number;
  private readonly fsyncEach: boolean;
  private readonly now: () => Date;
  private readonly sessions = new Map<string, OpenSession>();
  private readonly closedCount = new Map<string, number>();
  private current?: { file: string; fd: number; size: number };
  private fileSeq = 0;
  private readonly stamp: string;
  eventsWritten = 0;
  trajectoriesWritten = 0;
  /** Trajectories files removed by retention (maxLogBytes). */
  filesRemoved = 0;

  constructor(opts: SessionLogOptions) {
    this.dir = path.resolve(opts.dir);
    this.openDir = path.join(this.dir, OPEN_DIR);
    this.rotateBytes = opts.rotateBytes ?? 64 * 1024 * 1024;
    this.maxLogBytes = opts.maxLogBytes ?? 0;
    this.fsyncEach = opts.fsync ?? false;
    this.now = opts.now ?? (() => new Date());
    fs.mkdirSync(this.openDir, { recursive: true });
    this.stamp = `${this.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
  }

  /** Compacts event logs left by a crashed run. Call once, before serving. */
  recover(): RecoveryReport {
    const report: RecoveryReport = { recovered: 0, empty: 0, skippedLines: 0 };
    const entries = fs.readdirSync(this.openDir).filter((f) => f.endsWith('.events.jsonl') || f.endsWith('.closing')).sort();
    let existingIds: Set<string> | undefined;
    for (const name of entries) {
      const file = path.join(this.openDir, name);
      const { trajectory, skipped } = replayEvents(fs.readFileSync(file, 'utf8'));
      report.skippedLines += skipped;
      if (!trajectory || trajectory.steps.length === 0) {
        report.empty++;
        fs.rmSync(file, { force: true });
        continue;
      }
      if (name.endsWith('.closing')) {
        existingIds ??= this.idsOnDisk();
        if (existingIds.has(trajectory.id)) {
          fs.rmSync(file, { force: true });
          continue;
        }
      }
      trajectory.metadata = { ...trajectory.metadata, closedAt: this.now().toISOString(), closeReason: 'recovered' };
      this.appendTrajectory(trajectory);
      fs.rmSync(file, { force: true });
      report.recovered++;
    }
    return report;
  }

  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** Opens the session if needed (first event), then appends the steps. */
  record(sessionId: string, steps: Step[], start: SessionStart): void {
    const s = this.ensure(sessionId, start);
    for (const step of steps) {
      // Disk first: a step that could not be logged must not appear later in the trajectory either.
      this.write(s, { e: 'step', step });
      s.trajectory.steps.push(step);
      if (step.type === 'answer') s.trajectory.finalAnswer = step.text;
    }
    s.lastActivity = Date.now();
  }

  /** Sets the question / final answer / agent info of a session (opening it if needed). */
  update(sessionId: string, fields: { question?: string; finalAnswer?: string; agent?: AgentInfo }, start: SessionStart): void {
    const s = this.ensure(sessionId, start);
    this.write(s, { e: 'set', ...fields });
    if (fields.question !== undefined) s.trajectory.question = fields.question;
    if (fields.finalAnswer !== undefined) s.trajectory.finalAnswer = fields.finalAnswer;
    if (fields.agent !== undefined) s.trajectory.agent = { ...s.trajectory.agent, ...fields.agent };
    s.lastActivity = Date.now();
  }

  /** Writes the session's trajectory line and forgets it. Returns the trajectory (undefined if unknown). */
  close(sessionId: string, reason: string): Trajectory | undefined {
    const s = this.sessions.get(sessionId);
    if (!s) return undefined;
    this.sessions.delete(sessionId);
    const t = s.trajectory;
    t.metadata = { ...t.metadata, closedAt: this.now().toISOString(), closeReason: reason };
    if (t.steps.length === 0) {
      fs.rmSync(s.file, { force: true });
      return t;
    }
    const closing = s.file.replace(/\.events\.jsonl$/, '.closing');
    fs.renameSync(s.file, closing);
    this.appendTrajectory(t);
    fs.rmSync(closing, { force: true });
    return t;
  }

  /** Ids of sessions idle for longer than idleMs. */
  idleSessions(idleMs: number, nowMs = Date.now()): string[] {
    const out: string[] = [];
    for (const [id, s] of this.sessions) if (nowMs - s.lastActivity >= idleMs) out.push(id);
    return out;
  }

  touch(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s) s.lastActivity = Date.now();
  }

  /** Closes every open session (shutdown) and the current trajectories file. */
  closeAll(reason: string): void {
    for (const id of [...this.sessions.keys()]) this.close(id, reason);
    if (this.current) {
      fs.closeSync(this.current.fd);
      this.current = undefined;
    }
  }

  private ensure(sessionId: string, start: SessionStart): OpenSession {
    let s = this.sessions.get(sessionId);
    if (s) return s;
    const n = (this.closedCount.get(sessionId) ?? 0) + 1;
    this.closedCount.set(sessionId, n);
    // A session id the client reuses after its session closed starts a new trajectory.
    const trajectoryId = n === 1 ? sessionId : `${sessionId}#${n}`;
    const at = this.now().toISOString();
    const hash = crypto.createHash('sha1').update(trajectoryId).digest('hex').slice(0, 20);
    s = {
      file: path.join(this.openDir, `${hash}-${this.stamp}.events.jsonl`),
      lastActivity: Date.now(),
      trajectory: {
        id: trajectoryId,
        question: start.question ?? '',
        ...(start.agent ? { agent: start.agent } : {}),
        metadata: { source: 'lrat-server', sessionId, transport: start.transport, startedAt: at },
        steps: [],
      },
    };
    this.sessions.set(sessionId, s);
    this.write(s, {
      e: 'open',
      session: sessionId,
      trajectory: trajectoryId,
      at,
      transport: start.transport,
      ...(start.agent ? { agent: start.agent } : {}),
      ...(start.question !== undefined ? { question: start.question } : {}),
    });
    return s;
  }

  private write(s: OpenSession, event: LogEvent): void {
    const fd = fs.openSync(s.file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify(event) + '\n');
      if (this.fsyncEach) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.eventsWritten++;
  }

  private appendTrajectory(t: Trajectory): void {
    const line = Buffer.from(JSON.stringify(t) + '\n', 'utf8');
    let cur = this.current;
    if (!cur || (cur.size > 0 && cur.size + line.length > this.rotateBytes)) cur = this.rotate();
    fs.writeSync(cur.fd, line);
    if (this.fsyncEach) fs.fsyncSync(cur.fd);
    cur.size += line.length;
    this.trajectoriesWritten++;
  }

  private rotate(): { file: string; fd: number; size: number } {
    if (this.current) fs.closeSync(this.current.fd);
    let file: string;
    do {
      this.fileSeq++;
      file = path.join(this.dir, `trajectories-${this.stamp}-${String(this.fileSeq).padStart(4, '0')}.jsonl`);
    } while (fs.existsSync(file));
    this.current = { file, fd: fs.openSync(file, 'a'), size: 0 };
    if (this.maxLogBytes > 0) this.enforceRetention(this.current.file);
    return this.current;
  }

  // Oldest first by modification time; the file being written is never removed, nor anything not ours.
  private enforceRetention(current: string): void {
    const files = fs
      .readdirSync(this.dir)
      .filter((n) => OWN_TRAJECTORIES_FILE.test(n))
      .map((n) => {
        const file = path.join(this.dir, n);
        const st = fs.statSync(file);
        return { file, size: st.size, mtime: st.mtimeMs, name: n };
      })
      .sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
    let total = files.reduce((n, f) => n + f.size, 0);
    for (const f of files) {
      if (total <= this.maxLogBytes - this.rotateBytes) break;
      if (f.file === current) continue;
      fs.rmSync(f.file, { force: true });
      total -= f.size;
      this.filesRemoved++;
    }
  }

  private idsOnDisk(): Set<string> {
    const ids = new Set<string>();
    for (const name of fs.readdirSync(this.dir)) {
      if (!/^trajectories-.*\.jsonl$/.test(name)) continue;
      for (const line of fs.readFileSync(path.join(this.dir, name), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const id = (JSON.parse(line) as { id?: unknown }).id;
          if (typeof id === 'string') ids.add(id);
        } catch {
          // a torn line from a crash: it was never a complete trajectory
        }
      }
    }
    return ids;
  }
}

/** Rebuilds a trajectory from an event log; a torn or invalid line is skipped and counted. */
export function replayEvents(text: string): { trajectory?: Trajectory; skipped: number } {
  let trajectory: Trajectory | undefined;
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    let ev: LogEvent;
    try {
      ev = JSON.parse(line) as LogEvent;
    } catch {
      skipped++;
      continue;
    }
    if (ev.e === 'open') {
      trajectory = {
        id: ev.trajectory,
        question: ev.question ?? '',
        ...(ev.agent ? { agent: ev.agent } : {}),
        metadata: { source: 'lrat-server', sessionId: ev.session, transport: ev.transport, startedAt: ev.at },
        steps: [],
      };
    } else if (trajectory && ev.e === 'step') {
      trajectory.steps.push(ev.step);
      if (ev.step.type === 'answer') trajectory.finalAnswer = ev.step.text;
    } else if (trajectory && ev.e === 'set') {
      if (ev.question !== undefined) trajectory.question = ev.question;
      if (ev.finalAnswer !== undefined) trajectory.finalAnswer = ev.finalAnswer;
      if (ev.agent !== undefined) trajectory.agent = { ...trajectory.agent, ...ev.agent };
    } else {
      skipped++;
    }
  }
  if (trajectory && !TrajectorySchema.safeParse(trajectory).success) return { skipped: skipped + 1 };
  return { trajectory, skipped };
}
