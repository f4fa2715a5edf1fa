import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Every package must work when installed alone: pack one the way npm publishes it and use it from a
// project outside the workspace, where no path alias or workspace symlink can help.
const root = path.resolve(__dirname, '..', '..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

describe('a package installed alone', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-consumer-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('packs @lrat/trajectory with its compiled entry and installs it into a fresh project', () => {
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work, path.join(root, 'packages/trajectory')], root));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.some((f) => f.startsWith('src/'))).toBe(false);
    expect(files.some((f) => f.endsWith('.spec.js'))).toBe(false);

    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    npm(['install', '--prefer-offline', '--no-package-lock', path.join(work, packed[0].filename)], work);
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const t = require('@lrat/trajectory');
         const ok = t.TrajectorySchema.safeParse({ id: 'q1', question: 'who?', steps: [{ type: 'search', query: 'who', results: [{ docid: 'd1' }] }] });
         const bad = t.TrajectorySchema.safeParse({ id: 'q1', steps: [] });
         console.log(JSON.stringify({ ok: ok.success, bad: bad.success, resolved: require.resolve('@lrat/trajectory') }));`,
      ],
      { cwd: work, encoding: 'utf8' },
    );
    const result = JSON.parse(out);
    expect(result).toMatchObject({ ok: true, bad: false });
    expect(result.resolved.startsWith(fs.realpathSync(work))).toBe(true);
  });
});
