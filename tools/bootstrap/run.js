#!/usr/bin/env node
// Observes the machine, asks plan.js what to do, and does it, printing each step and its time.
// Only node built-ins here: this runs before node_modules exists.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { APT_PACKAGES, BENCH_APT_PACKAGES, planBootstrap } = require('./plan');
const { sourceStamp } = require('../../packages/faiss/scripts/toolchain');

const root = path.resolve(__dirname, '..', '..');
const dryRun = process.argv.includes('--dry-run');
// --bench: also the benchmarks' references (Debian's python3-torch); never needed by the tests.
const benchmarks = process.argv.includes('--bench');
const unknown = process.argv.slice(2).filter((a) => a !== '--dry-run' && a !== '--bench');
if (unknown.length) {
  console.error(`bootstrap: unknown argument ${unknown.join(' ')} (usage: tools/bootstrap.sh [--dry-run] [--bench])`);
  process.exit(2);
}
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : null);
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function installedApt() {
  if (!has('dpkg-query')) return [];
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...APT_PACKAGES, ...BENCH_APT_PACKAGES], { encoding: 'utf8' });
  return (r.stdout || '')
    .split('\n')
    .filter((l) => l.endsWith('install ok installed'))
    .map((l) => l.split(' ')[0]);
}

const faissBuild = path.join(root, 'packages/faiss/build');
const stampFile = path.join(faissBuild, 'lrat-stamp');
const state = {
  installedApt: installedApt(),
  isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  hasSudo: has('sudo'),
  hasApt: has('apt-get'),
  lockMtimeMs: mtime(path.join(root, 'package-lock.json')),
  installedLockMtimeMs: mtime(path.join(root, 'node_modules/.package-lock.json')),
  faissAddonBuilt: fs.existsSync(path.join(faissBuild, 'Release/lrat_faiss.node')),
  faissStamp: fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : null,
  faissExpectedStamp: sourceStamp(),
  benchmarks,
};
const plan = planBootstrap(state);
for (const e of plan.errors) console.error(`bootstrap: ${e}`);
if (plan.errors.length) process.exit(1);

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', DEBIAN_FRONTEND: 'noninteractive' };
for (const step of plan.steps) {
  console.log(`bootstrap: ${step.id} — ${step.why}\n  $ ${step.command.join(' ')}`);
  if (dryRun) continue;
  const t0 = Date.now();
  if (step.id === 'apt') {
    const prefix = step.command[0] === 'sudo' ? ['sudo'] : [];
    run([...prefix, 'apt-get', 'update', '-qq'], env);
  }
  run(step.command, env, step.id === 'build' ? ['--outputStyle=static'] : []);
  console.log(`bootstrap: ${step.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function run(command, env, extra = []) {
  const [cmd, ...args] = command;
  const r = spawnSync(cmd, [...args, ...extra], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bootstrap: step failed (exit ${r.status}): ${command.join(' ')}`);
    process.exit(r.status || 1);
  }
}
