#!/usr/bin/env node
// The CLI entry: runs the TypeScript sources directly (no build step after `npm ci`).
require('tsx/cjs');
require('../lambda/cli')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`trailcheck: unexpected error: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = 1;
    },
  );
