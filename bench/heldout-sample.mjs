#!/usr/bin/env node
// A fixed-seed sample of one rule's findings from connlint JSON reports, written out for blind
// triage: each finding with its path and related locations only (no rule code, no docs), split
// into parts for separate triagers. docs/precision.md says how the samples were triaged.
//
//   node bench/heldout-sample.mjs --rule fd-leak --seed 13 --size 60 --parts 3 --out DIR REPORT.json...
//
// Writes DIR/all.json (the sample, in order) and DIR/findings1.md … findingsN.md ("## Finding P.K").
// Findings are sorted (file, line, column, message) before sampling, so the same reports and seed
// give the same sample whatever order the reports come in.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const options = { rule: 'fd-leak', seed: 1, size: 60, parts: 2, out: undefined };
const reports = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
  if (name && name in options) options[name] = ['seed', 'size', 'parts'].includes(name) ? Number(args[++i]) : args[++i];
  else reports.push(args[i]);
}
if (!options.out || reports.length === 0 || ![options.seed, options.size, options.parts].every(Number.isInteger)) {
  console.error('usage: node bench/heldout-sample.mjs --rule ID --seed N --size N --parts N --out DIR REPORT.json...');
  process.exit(2);
}

const findings = reports
  .flatMap((path) => {
    const report = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(report) ? report : report.findings;
  })
  .filter((f) => f.rule === options.rule)
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message));

// Park–Miller generator: the same seed gives the same sample on every platform and Node version.
let state = options.seed % 2147483647 || 1;
const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
const order = findings.map((_, i) => i);
for (let i = order.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const sample = order.slice(0, Math.min(options.size, findings.length)).map((i) => findings[i]);

mkdirSync(options.out, { recursive: true });
writeFileSync(join(options.out, 'all.json'), JSON.stringify(sample, null, 1));
const per = Math.ceil(sample.length / options.parts);
for (let p = 0; p < options.parts; p++) {
  const part = sample.slice(p * per, (p + 1) * per);
  const text = part
    .map((f, k) => {
      const lines = [`## Finding ${p + 1}.${k + 1}`, `- file: ${f.file}`, `- line ${f.line}, column ${f.column}`, `- message: ${f.message}`];
      for (const r of f.related ?? []) lines.push(`- related: ${r.file}:${r.line}: ${r.message}`);
      for (const s of f.path ?? []) lines.push(`- path step: ${s.file}:${s.line}: ${s.message}`);
      return lines.join('\n');
    })
    .join('\n\n');
  writeFileSync(join(options.out, `findings${p + 1}.md`), `${text}\n`);
}
console.log(`${findings.length} ${options.rule} findings; sample of ${sample.length} (seed ${options.seed}) in ${options.parts} parts → ${options.out}`);
