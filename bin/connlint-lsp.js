#!/usr/bin/env node
// Thin launcher: the language server is compiled TypeScript in dist/ (built by `npm ci`/`npm run build`).
import { main } from '../dist/server/main.js';

main(process.argv.slice(2));
