#!/usr/bin/env node
// The `lrat` command. Runs the compiled CLI (tools/bootstrap.sh builds it).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('lrat: the CLI is not built yet — run `npm run bootstrap` (or `npx nx run cli:build`) first.');
  process.exit(1);
}
require(entry)
  .main(process.argv.slice(2))
  .catch((err) => {
    console.error(`lrat: ${err && err.message ? err.message : err}`);
    if (process.env.LRAT_DEBUG) console.error(err);
    process.exit(1);
  });
