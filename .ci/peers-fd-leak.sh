#!/usr/bin/env bash
# fd-leak side by side with cppcheck (and clang when present) on test/fixtures/fd-leak/side-by-side.c:
# every leak cppcheck reports there must be reported by connlint too (a superset).
# Needs ../shared/tools/peers.sh and cppcheck; prints the counts per tool.
set -euo pipefail
cd "$(dirname "$0")/.."
fixture=test/fixtures/fd-leak/side-by-side.c
peers=../shared/tools/peers.sh
tools=cppcheck
command -v clang >/dev/null && tools=cppcheck,clang
"$peers" --tools "$tools" "$fixture" 2>/dev/null > /tmp/connlint-peers.json
node bin/connlint.js --format json "$fixture" > /tmp/connlint-self.json || true
node - /tmp/connlint-peers.json /tmp/connlint-self.json "$fixture" <<'JS'
const fs = require('fs');
const [peersFile, selfFile, fixture] = process.argv.slice(2);
const peers = JSON.parse(fs.readFileSync(peersFile, 'utf8'));
const self = JSON.parse(fs.readFileSync(selfFile, 'utf8')).findings.filter((f) => f.rule === 'fd-leak');
const expected = fs.readFileSync(fixture, 'utf8').split('\n').flatMap((l, i) => (l.includes('expect: fd-leak') ? [i + 1] : []));
const leakIds = /leak|Leak|Stream|never closed/;
const byTool = {};
for (const f of peers) if (leakIds.test(f.id) || leakIds.test(f.message)) (byTool[f.tool] ??= new Set()).add(f.line);
const mine = new Set(self.map((f) => f.line));
for (const [tool, lines] of Object.entries(byTool)) console.log(`${tool}: ${[...lines].filter((l) => expected.includes(l)).length} of ${expected.length} leaks (lines ${[...lines].sort((a, b) => a - b).join(', ')})`);
console.log(`connlint: ${[...mine].filter((l) => expected.includes(l)).length} of ${expected.length} leaks (lines ${[...mine].sort((a, b) => a - b).join(', ')})`);
const missing = [...(byTool.cppcheck ?? [])].filter((l) => !mine.has(l));
if (!byTool.cppcheck) { console.error('cppcheck reported nothing: the harness is broken'); process.exit(1); }
if (missing.length > 0) { console.error(`connlint misses leaks cppcheck finds: lines ${missing.join(', ')}`); process.exit(1); }
if (expected.some((l) => !mine.has(l))) { console.error('connlint misses a marked leak'); process.exit(1); }
console.log('connlint finds a superset of cppcheck');
JS
