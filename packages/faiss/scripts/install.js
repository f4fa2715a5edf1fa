#!/usr/bin/env node
// Builds the addon at install time against the system libfaiss, with node-gyp and the Node headers
// already on this machine: nothing is downloaded. Without libfaiss it explains what to install and
// exits 0, so packages that depend on this one still install and everything but FAISS indexes works.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { APT_PACKAGES, faissHeader, nodeHeadersDir, nodeGypScript, sourceStamp } = require('./toolchain');

const pkg = path.resolve(__dirname, '..');
const ADDON = path.join(pkg, 'build', 'Release', 'lrat_faiss.node');
const say = (line) => process.stderr.write(`@lrat/faiss: ${line}\n`);

function main() {
  if (process.env.LRAT_FAISS_SKIP_BUILD === '1') {
    say('LRAT_FAISS_SKIP_BUILD=1: not building the FAISS addon');
    return 0;
  }
  const stampFile = path.join(pkg, 'build', 'lrat-stamp');
  const current = fs.existsSync(ADDON) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === sourceStamp();
  // Up to date already (a workspace `npm install` re-runs this every time): build again only when
  // asked to, with `npm rebuild @lrat/faiss` (e.g. after upgrading libfaiss).
  if (current && (process.argv.includes('--if-stale') || process.env.npm_command !== 'rebuild')) return 0;
  if (!faissHeader()) {
    say(`libfaiss is not installed (no faiss/Index.h under /usr/include or /usr/local/include), so FAISS indexes are unavailable.`);
    say(`BM25 and everything else works. For dense indexes: sudo apt-get install -y ${APT_PACKAGES.join(' ')} && npm rebuild @lrat/faiss`);
    return 0;
  }
  const nodedir = nodeHeadersDir();
  if (!nodedir) {
    say(`the Node.js headers (include/node/node_api.h next to ${process.execPath}) are missing; install them (Debian: libnode-dev, or a nodejs package that ships them) and run npm rebuild @lrat/faiss`);
    return 1;
  }
  const gyp = nodeGypScript();
  if (!gyp) {
    say('node-gyp (bundled with npm) was not found; run this from npm (npm rebuild @lrat/faiss)');
    return 1;
  }
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout || '');
    process.stderr.write(r.stderr || '');
    say(`building the addon against the system libfaiss failed (exit ${r.status}); needs ${APT_PACKAGES.join(' ')}`);
    return 1;
  }
  const smoke = spawnSync(process.execPath, ['-e', `const f = require(${JSON.stringify(pkg)}); const i = f.loadFaiss().Index.fromFactory(2, 'Flat', 0); i.add(new Float32Array([1, 0, 0, 1])); const r = i.search(new Float32Array([0.9, 0.1]), 2); if (r.labels[0] !== 0 || r.labels[1] !== 1) process.exit(1);`], { encoding: 'utf8' });
  if (smoke.status !== 0) {
    process.stderr.write(smoke.stderr || '');
    say('the addon was built but a tiny Flat search failed');
    return 1;
  }
  say(`addon built against the system libfaiss in ${((Date.now() - t0) / 1000).toFixed(1)} s (${path.join('build', 'Release', 'lrat_faiss.node')})`);
  fs.writeFileSync(stampFile, sourceStamp() + '\n');
  return 0;
}

process.exit(main());
