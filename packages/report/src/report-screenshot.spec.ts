import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sampleReport } from './__fixtures__/sample-report';
import { writeReport } from './index';

// Opens report.html in headless Chromium when one is installed (CI images may not have it: the test
// is then skipped, never passed vacuously).
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
const maybe = chromium ? it : it.skip;

describe('report.html in a browser', () => {
  maybe('renders every chart offline and screenshots to a non-blank PNG', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-shot-'));
    try {
      const files = await writeReport(dir, sampleReport());
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${path.join(dir, 'profile')}`];
      const dom = execFileSync(chromium as string, [...flags, '--dump-dom', `file://${files.html}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
      expect(dom.match(/<svg /g)?.length).toBe(7);
      expect(dom).toContain('Agent behaviour vs the paper');
      const png = path.join(dir, 'shot.png');
      execFileSync(chromium as string, [...flags, '--window-size=1200,2400', `--screenshot=${png}`, `file://${files.html}`], { stdio: 'ignore', timeout: 60000 });
      const buf = fs.readFileSync(png);
      expect(buf.subarray(1, 4).toString()).toBe('PNG');
      expect(buf.readUInt32BE(16)).toBe(1200);
      // A page of charts and tables compresses far worse than a blank one (a few KB).
      expect(buf.length).toBeGreaterThan(50_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
