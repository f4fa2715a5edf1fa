import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A tiny corpus for tests: two documents about each topic, so searches rank several hits. */
export const TINY_CORPUS: Record<string, string> = {
  d1: 'Paris is the capital of France and its largest city.',
  d2: 'France is a country in Western Europe; its capital is Paris.',
  d3: 'Berlin is the capital of Germany.',
  d4: 'Germany borders France to the east.',
  d5: 'The Eiffel Tower is a landmark in Paris built in 1889.',
};

const created: string[] = [];

/** A fresh temporary directory, removed by removeTmpDirs() (call it in afterAll). */
export function tmpDir(prefix = 'lrat-server-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(d);
  return d;
}

export function removeTmpDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
