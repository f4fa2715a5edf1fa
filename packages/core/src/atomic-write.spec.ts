import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tempSibling, writeFileAtomic, writeFileAtomicSync, writeStreamAtomic } from './atomic-write';

describe('atomic file writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-core-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates missing folders, replaces the old content and leaves no temp behind (async and sync)', async () => {
    const file = path.join(dir, 'a', 'b', 'out.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    writeFileAtomicSync(file, Buffer.from([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['out.json']);
  });

  it('removes its temp and keeps the old file when the rename fails', async () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true }); // a non-empty folder cannot be renamed over
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'x')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });

  it('names temps as hidden siblings tagged with this process id', () => {
    const t = tempSibling(path.join(dir, 'model'), 'old');
    expect(path.dirname(t)).toBe(dir);
    expect(path.basename(t)).toMatch(new RegExp(`^\\.model\\.old-${process.pid}-[0-9a-f]{8}$`));
  });

  it('streams a large output into place and returns what fill returns', async () => {
    const file = path.join(dir, 'big', 'pairs.jsonl');
    await writeFileAtomic(file, 'old\n');
    const line = 'x'.repeat(999) + '\n';
    const n = await writeStreamAtomic(file, async (write) => {
      for (let i = 0; i < 5000; i++) await write(line); // ≈ 5 MB: the stream has to drain on the way
      // Until fill resolves, readers still see the old content.
      expect(fs.readFileSync(file, 'utf8')).toBe('old\n');
      return 5000;
    });
    expect(n).toBe(5000);
    expect(fs.statSync(file).size).toBe(5000 * 1000);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['pairs.jsonl']);
  });

  it('keeps the old file and removes its temp when fill throws', async () => {
    const file = path.join(dir, 'out.jsonl');
    await writeFileAtomic(file, 'old');
    await expect(
      writeStreamAtomic(file, async (write) => {
        await write('partial');
        throw new Error('mining failed');
      }),
    ).rejects.toThrow('mining failed');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['out.jsonl']);
  });
});
