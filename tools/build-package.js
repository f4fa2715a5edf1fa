#!/usr/bin/env node
// Builds one workspace project with tsc into <project>/dist. Dependencies resolve through
// node_modules/@lrat/* (their built dist/), so each package compiles exactly as a consumer sees it.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = path.resolve(process.argv[2] || '.');
const dist = path.join(dir, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.lib.json')], { stdio: 'inherit' });
