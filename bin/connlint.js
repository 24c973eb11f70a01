#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm ci`/`npm run build`).
import { main } from '../dist/cli/main.js';

// `connlint … | head`: the reader went away. Nothing more is written and the run ends as it would
// have (exit 0, 1 or 2), without a stack trace.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.stdout.write = () => true;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
