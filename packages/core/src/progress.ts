import { MultiBar, Presets } from 'cli-progress';

/** Reports progress of a long job: a bar with ETA on a TTY, plain log lines otherwise. */
export interface Progress {
  /** Advances by `n` units (default 1); `info` is shown beside the bar (e.g. "loss 0.41"). */
  tick(n?: number, info?: string): void;
  /** Sets the absolute position. */
  update(done: number, info?: string): void;
  /** Changes the total when it becomes known (streams). */
  setTotal(total: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Where to draw; defaults to stderr so stdout stays clean for results. */
  stream?: NodeJS.WriteStream;
  /** Force plain log lines (or a bar) regardless of the stream. */
  mode?: 'bar' | 'log' | 'silent';
  /** Plain mode: the minimum seconds between two lines. */
  logEverySeconds?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? (process.env.LRAT_PROGRESS as ProgressOptions['mode']) ?? (stream.isTTY && !process.env.CI ? 'bar' : 'log');
  if (mode === 'silent') return { tick: ignore, update: ignore, setTotal: ignore, stop: ignore };
  if (mode === 'bar') return barProgress(options, stream);
  return logProgress(options, stream);
}

// Silent mode: progress is deliberately not reported.
function ignore(): void {
  return undefined;
}

/**
 * The bars on screen now, per stream. Jobs draw several at once (a study trains on threads while its
 * agents run), and bars of their own would each redraw the cursor's line over the others': one
 * MultiBar per stream gives each a line. A finished bar leaves its last state as a log line above
 * the live ones.
 */
const screens = new Map<NodeJS.WriteStream, { multi: MultiBar; live: number }>();

function barProgress(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  let s = screens.get(stream);
  if (!s) {
    // clearOnComplete: the last bar's line goes when it stops (its log line above stays); forceRedraw:
    // a log line printed above the bars moves every bar down a line, changed or not.
    s = { multi: new MultiBar({ format: '{label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} | {info}', stream, hideCursor: true, etaBuffer: 50, clearOnComplete: true, forceRedraw: true }, Presets.shades_classic), live: 0 };
    screens.set(stream, s);
  }
  const screen = s;
  screen.live++;
  let total = options.total;
  let done = 0;
  let info = '';
  let stopped = false;
  const bar = screen.multi.create(total, 0, { info, label: options.label });
  const set = (value: number, text?: string) => {
    done = value;
    info = text ?? '';
    bar.update(done, { info, label: options.label });
  };
  return {
    tick(n = 1, text) { set(done + n, text); },
    update(value, text) { set(value, text); },
    setTotal(t) { total = t; bar.setTotal(t); },
    stop() {
      if (stopped) return;
      stopped = true;
      screen.multi.log(`${options.label}: ${done}/${total}${info ? ` | ${info}` : ''} | done\n`);
      if (--screen.live > 0) {
        screen.multi.remove(bar);
        return;
      }
      screen.multi.update();
      screen.multi.stop();
      screens.delete(stream);
    },
  };
}

function logProgress(options: ProgressOptions, stream: NodeJS.WriteStream): Progress {
  const every = (options.logEverySeconds ?? 10) * 1000;
  const start = Date.now();
  let total = options.total;
  let done = 0;
  let last = 0;
  let lastPct = -1;
  const line = (info?: string) => {
    const elapsed = (Date.now() - start) / 1000;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = total > done && rate > 0 ? ` ETA ${formatSeconds((total - done) / rate)}` : '';
    const pct = total > 0 ? ` ${((100 * done) / total).toFixed(0)}%` : '';
    stream.write(`${options.label}: ${done}/${total}${pct} ${formatSeconds(elapsed)} elapsed${eta}${info ? ` | ${info}` : ''}\n`);
  };
  const maybe = (info?: string) => {
    const now = Date.now();
    const pct = total > 0 ? Math.floor((10 * done) / total) : 0;
    if (now - last >= every || pct > lastPct) {
      last = now;
      lastPct = pct;
      line(info);
    }
  };
  return {
    tick(n = 1, info) { done += n; maybe(info); },
    update(value, info) { done = value; maybe(info); },
    setTotal(t) { total = t; },
    stop() { line('done'); },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
