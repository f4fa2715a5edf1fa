import { promises as fsp } from 'fs';
import * as path from 'path';
import { tempSibling } from './atomic-write';

// One guarded directory swap for every writer of a directory (indexes, model and checkpoint folders).
//
// Design: Node has no rename-exchange (renameat2 RENAME_EXCHANGE), and rename(2) cannot replace a
// non-empty directory. Switching through a symlink would close the window but would change what
// `--out` is (a link, not a folder: surprising to users, to copy tools and on Windows). So the new
// version is built complete in a sibling `.NAME.tmp-PID-RAND`, the old one steps aside to
// `.NAME.old-PID-RAND`, the new one is renamed in, the old one removed. A crash in the one-rename
// window leaves `--out` missing with the old version intact beside it: every open (loadIndex) and
// every later write puts it back first (`recoverDirectory`). Temps of dead writers are removed on the
// next write (`sweepStaleTemps`) — only names of exactly our pattern whose PID is no longer running.

/** Thrown instead of replacing a directory this project did not write. */
export class ForeignDirectoryError extends Error {
  constructor(
    readonly dir: string,
    readonly found: string,
  ) {
    super(`refusing to replace ${dir}: ${found}`);
    this.name = 'ForeignDirectoryError';
  }
}

export interface ReplaceDirectoryOptions {
  /**
   * Decides whether an existing, non-empty directory is one of ours: null when it is, otherwise what was
   * found there (e.g. `manifest.json has format "x", not "lrat-index"`), for the refusal message.
   */
  ownedBy: (dir: string) => Promise<string | null>;
}

const TEMP_NAME = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]{8}$/;

/** Whether a process with this PID is running (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface TempEntry {
  name: string;
  base: string;
  tag: 'tmp' | 'old';
  pid: number;
}

async function deadWritersTemps(parent: string, keep: (base: string) => boolean): Promise<TempEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(parent);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: TempEntry[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || !keep(m[1])) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || isProcessAlive(pid)) continue; // a writer still at work
    out.push({ name, base: m[1], tag: m[2] as 'tmp' | 'old', pid });
  }
  return out;
}

/**
 * Puts back a directory stranded by a crash between the two renames of a swap: when `target` is
 * missing and a `.NAME.old-PID-RAND` of a dead writer exists, the newest is renamed back. Returns the
 * path restored from, or null when there was nothing to do.
 */
export async function recoverDirectory(target: string): Promise<string | null> {
  const abs = path.resolve(target);
  try {
    await fsp.lstat(abs);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  const olds = (await deadWritersTemps(parent, (b) => b === base)).filter((e) => e.tag === 'old');
  if (!olds.length) return null;
  const withTimes = await Promise.all(olds.map(async (e) => ({ e, mtime: (await fsp.stat(path.join(parent, e.name))).mtimeMs })));
  withTimes.sort((a, b) => b.mtime - a.mtime);
  const from = path.join(parent, withTimes[0].e.name);
  await fsp.rename(from, abs);
  return from;
}

/**
 * Removes the temps (`.NAME.tmp-PID-RAND`, `.NAME.old-PID-RAND`) that dead writers left in `parent`
 * for the names `keep` accepts; a stranded old version whose target is missing is put back instead.
 * Returns the paths removed.
 */
export async function sweepStaleTemps(parent: string, keep: (base: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  for (const e of await deadWritersTemps(parent, keep)) {
    if (e.tag === 'old' && (await recoverDirectory(path.join(parent, e.base)))) continue;
    const p = path.join(parent, e.name);
    try {
      await fsp.lstat(p);
    } catch {
      continue; // recovered or removed meanwhile
    }
    await fsp.rm(p, { recursive: true, force: true });
    removed.push(p);
  }
  return removed;
}

async function refuseForeign(target: string, options: ReplaceDirectoryOptions): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new ForeignDirectoryError(target, 'it exists and is not a directory');
    throw err;
  }
  if (entries.length === 0) return;
  const found = await options.ownedBy(target);
  if (found !== null) throw new ForeignDirectoryError(target, found);
}

/**
 * Replaces `target` with a directory that `fill` builds in a temporary sibling. Refuses (before writing
 * anything) when `target` exists, is not empty and `ownedBy` does not recognise it. Readers see the old
 * version or the complete new one; see the design note at the top of this file for the crash window.
 */
export async function replaceDirectory(target: string, fill: (tmpDir: string) => Promise<void>, options: ReplaceDirectoryOptions): Promise<void> {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  await fsp.mkdir(parent, { recursive: true });
  await sweepStaleTemps(parent, (b) => b === base);
  await refuseForeign(abs, options);
  const tmp = tempSibling(abs);
  await fsp.mkdir(tmp);
  try {
    await fill(tmp);
    await swapIntoPlace(tmp, abs);
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function swapIntoPlace(tmp: string, target: string): Promise<void> {
  let old: string | undefined;
  try {
    await fsp.lstat(target);
    old = tempSibling(target, 'old');
    await fsp.rename(target, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await fsp.rename(tmp, target);
  } catch (err) {
    if (old) await fsp.rename(old, target);
    throw err;
  }
  if (old) await fsp.rm(old, { recursive: true, force: true });
}

/**
 * An `ownedBy` for directories marked by a JSON manifest: ours when `file` holds an object whose
 * `format` is `format`. Anything else is described for the refusal.
 */
export function ownedByManifest(file: string, format: string): (dir: string) => Promise<string | null> {
  return async (dir) => {
    let text: string;
    try {
      text = await fsp.readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `${file} is unreadable (${(err as Error).message})`;
      const entries = (await fsp.readdir(dir)).sort();
      const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
      return `it is not empty (${shown}) and holds no ${file}, so it is not a "${format}" directory`;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return `${file} is not JSON, so it is not a "${format}" directory`;
    }
    const found = v && typeof v === 'object' && !Array.isArray(v) ? (v as { format?: unknown }).format : undefined;
    if (found === format) return null;
    return `${file} has field "format" ${found === undefined ? 'missing' : JSON.stringify(found)}, not "${format}" — not a directory this tool wrote`;
  };
}
