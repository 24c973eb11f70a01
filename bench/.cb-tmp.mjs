import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const p = new Parser(); p.setLanguage(C);
function count(text) { let n = 0; const t0 = Date.now(); p.parse(text, undefined, { bufferSize: text.length * 2 + 16, progressCallback: () => { n++; return false; } }); return [n, Date.now() - t0]; }
const files = [];
const walk = (d) => { for (const e of readdirSync(d)) { const f = join(d, e); const s = statSync(f); if (s.isDirectory()) walk(f); else if (/\.[ch]$/.test(e)) files.push(f); } };
walk(process.argv[2]);
let worst = 0, wf = '';
for (const f of files) { const t = readFileSync(f, 'utf8'); const [n, ms] = count(t); const r = n / (t.length + 1); if (r > worst) { worst = r; wf = `${f} ${t.length} bytes ${n} callbacks ${ms} ms`; } }
console.log(files.length, 'files; worst callbacks/char', worst.toFixed(4), wf);
let junk = ''; while (junk.length < 1e6) junk += '0x62, 0xEB, ';
console.log('junk', junk.length, count(junk));
let junk2 = ''; while (junk2.length < 2e5) junk2 += '0x62, 0xEB, ';
console.log('junk2', junk2.length, count(junk2));
