#!/usr/bin/env node
// Builds one workspace project with tsc into <project>/dist. Dependencies resolve through
// node_modules/@lrat/* (their built dist/), so each package compiles exactly as a consumer sees it.
// Compiles into a temporary folder and swaps it in, so a process using dist/ meanwhile never sees it gone.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = path.resolve(process.argv[2] || '.');
const dist = path.join(dir, 'dist');
const staging = path.join(dir, `.dist-${process.pid}`);
const old = path.join(dir, `.dist-old-${process.pid}`);
fs.rmSync(staging, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.lib.json'), '--outDir', staging], { stdio: 'inherit' });
} catch (err) {
  fs.rmSync(staging, { recursive: true, force: true });
  throw err;
}
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(staging, dist);
fs.rmSync(old, { recursive: true, force: true });
