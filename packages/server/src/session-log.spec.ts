import * as fs from 'fs';
import * as path from 'path';
import { TrajectorySchema, type Trajectory } from '@lrat/trajectory';
import { OPEN_DIR, replayEvents, SessionLog } from './session-log';
import { removeTmpDirs, tmpDir } from './testing/fixtures';

afterAll(removeTmpDirs);

function readTrajectories(dir: string): Trajectory[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('trajectories-'))
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => TrajectorySchema.parse(JSON.parse(l)));
}

const search = (q: string, ids: string[]) => ({ type: 'search' as const, query: q, results: ids.map((docid, i) => ({ docid, rank: i + 1 })), index: 'v1' });

describe('SessionLog', () => {
  it('appends events while open and writes one schema-valid trajectory line on close', () => {
    const dir = tmpDir();
    const log = new SessionLog({ dir });
    log.record('s1', [search('q', ['d1', 'd2'])], { transport: 'http', agent: { name: 'agent-x' } });
    log.update('s1', { question: 'what?' }, { transport: 'http' });
    log.record('s1', [{ type: 'browse', docid: 'd1' }, { type: 'reasoning', text: 'd1 is relevant' }, { type: 'answer', text: '42' }], { transport: 'http' });
    const openFiles = fs.readdirSync(path.join(dir, OPEN_DIR));
    expect(openFiles).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, OPEN_DIR, openFiles[0]), 'utf8').trim().split('\n')).toHaveLength(6); // open, step, set, 3 steps
    expect(readTrajectories(dir)).toHaveLength(0);

    log.close('s1', 'client-close');
    const [t] = readTrajectories(dir);
    expect(t.id).toBe('s1');
    expect(t.question).toBe('what?');
    expect(t.finalAnswer).toBe('42');
    expect(t.agent?.name).toBe('agent-x');
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'browse', 'reasoning', 'answer']);
    expect(t.metadata).toMatchObject({ sessionId: 's1', transport: 'http', closeReason: 'client-close', source: 'lrat-server' });
    expect(fs.readdirSync(path.join(dir, OPEN_DIR))).toHaveLength(0);
    log.closeAll('shutdown');
  });

  it('starts a new trajectory id when a closed session id is reused, and skips empty sessions', () => {
    const dir = tmpDir();
    const log = new SessionLog({ dir });
    log.record('s', [search('a', ['d'])], { transport: 'http' });
    log.close('s', 'x');
    log.record('s', [search('b', ['d'])], { transport: 'http' });
    log.update('empty', { question: 'nothing happened' }, { transport: 'http' });
    log.closeAll('shutdown');
    expect(readTrajectories(dir).map((t) => t.id)).toEqual(['s', 's#2']);
  });

  it('rotates the trajectories file by size', () => {
    const dir = tmpDir();
    const log = new SessionLog({ dir, rotateBytes: 600 });
    for (let i = 0; i < 6; i++) {
      log.record(`s${i}`, [search('a query', ['d1', 'd2', 'd3'])], { transport: 'http' });
      log.close(`s${i}`, 'x');
    }
    log.closeAll('shutdown');
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('trajectories-'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(600);
    expect(readTrajectories(dir)).toHaveLength(6);
  });

  it('keeps the closed trajectories files under maxLogBytes, removing the oldest of its own files first', () => {
    const dir = tmpDir();
    const foreign = JSON.stringify({ id: 'foreign', question: '', steps: [] }) + '\n';
    fs.writeFileSync(path.join(dir, 'trajectories-notes.jsonl'), foreign);
    fs.writeFileSync(path.join(dir, 'README.txt'), 'mine\n');
    const log = new SessionLog({ dir, rotateBytes: 600, maxLogBytes: 1500 });
    for (let i = 0; i < 12; i++) {
      log.record(`s${i}`, [search('a query', ['d1', 'd2', 'd3'])], { transport: 'http' });
      log.close(`s${i}`, 'x');
    }
    log.closeAll('shutdown');
    const ours = fs.readdirSync(dir).filter((f) => /^trajectories-\d{8}T\d{6}Z-\d+-\d{4}\.jsonl$/.test(f));
    const total = ours.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(1500);
    expect(log.filesRemoved).toBeGreaterThan(0);
    const kept = readTrajectories(dir).map((t) => t.id);
    expect(kept).toContain('s11');
    expect(kept).not.toContain('s0');
    expect(fs.readFileSync(path.join(dir, 'trajectories-notes.jsonl'), 'utf8')).toBe(foreign);
    expect(fs.existsSync(path.join(dir, 'README.txt'))).toBe(true);
  });

  it('recovers sessions left open by a crash, skipping a torn last line', () => {
    const dir = tmpDir();
    const crashed = new SessionLog({ dir });
    crashed.record('a', [search('q1', ['d1'])], { transport: 'mcp-http' });
    crashed.record('a', [{ type: 'browse', docid: 'd1' }], { transport: 'mcp-http' });
    crashed.record('b', [search('q2', ['d2'])], { transport: 'http' });
    // The crash: no close; one event half-written.
    const [fa] = fs.readdirSync(path.join(dir, OPEN_DIR)).filter((f) => f.startsWith(require('crypto').createHash('sha1').update('a').digest('hex').slice(0, 20)));
    fs.appendFileSync(path.join(dir, OPEN_DIR, fa), '{"e":"step","step":{"type":"reas');

    const next = new SessionLog({ dir });
    const report = next.recover();
    expect(report).toEqual({ recovered: 2, empty: 0, skippedLines: 1 });
    const ts = readTrajectories(dir);
    expect(ts.map((t) => t.id).sort()).toEqual(['a', 'b']);
    expect(ts.find((t) => t.id === 'a')?.steps.map((s) => s.type)).toEqual(['search', 'browse']);
    expect(ts.every((t) => t.metadata?.closeReason === 'recovered')).toBe(true);
    expect(fs.readdirSync(path.join(dir, OPEN_DIR))).toHaveLength(0);
    next.closeAll('shutdown');
  });

  it('does not duplicate a session whose line was written just before a crash', () => {
    const dir = tmpDir();
    const log = new SessionLog({ dir });
    log.record('a', [search('q', ['d'])], { transport: 'http' });
    const openFile = path.join(dir, OPEN_DIR, fs.readdirSync(path.join(dir, OPEN_DIR))[0]);
    const events = fs.readFileSync(openFile, 'utf8');
    log.close('a', 'x');
    // Simulate the crash window: the line is written, the renamed event log is still there.
    fs.writeFileSync(openFile.replace(/\.events\.jsonl$/, '.closing'), events);
    const next = new SessionLog({ dir });
    expect(next.recover().recovered).toBe(0);
    expect(readTrajectories(dir)).toHaveLength(1);
  });

  it('replayEvents ignores steps before an open event and rejects schema-invalid logs', () => {
    expect(replayEvents('{"e":"step","step":{"type":"browse","docid":"x"}}\n').trajectory).toBeUndefined();
    const bad = '{"e":"open","session":"s","trajectory":"s","at":"t","transport":"http"}\n{"e":"step","step":{"type":"browse"}}\n';
    expect(replayEvents(bad).trajectory).toBeUndefined();
  });
});
