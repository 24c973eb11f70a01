#!/usr/bin/env node
// Copies the connlint language server into ./server for packaging: connlint's package.json, bin/,
// the compiled dist/, docs/ (hover) and schema/ (config validation), plus its production
// dependencies copied from the repository's node_modules (offline: nothing is downloaded).
// Native addons: their N-API prebuilds, and the binary npm built on this machine (build/Release)
// when there is one — the prebuilt linux-x64 tree-sitter needs a newer libstdc++ than Debian 12
// has, so the local build is what runs here, and the package is for this platform (see package.mjs).
// Their C sources are left out.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const extensionDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(extensionDir, '..', '..');
const out = join(extensionDir, 'server');

if (!existsSync(join(repo, 'dist', 'server', 'main.js'))) {
  console.error('bundle-server: build connlint first (npm ci or npm run build in the repository root)');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
// The copy is a finished install: no build scripts, no dev tooling.
delete pkg.scripts;
delete pkg.devDependencies;
delete pkg.overrides;
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

const skipMaps = (src) => !src.endsWith('.map');
for (const dir of ['bin', 'docs', 'schema']) cpSync(join(repo, dir), join(out, dir), { recursive: true });
for (const dir of ['core', 'domain', 'rules', 'cli', 'server']) cpSync(join(repo, 'dist', dir), join(out, 'dist', dir), { recursive: true, filter: skipMaps });

// Production dependency folders, as npm resolved them in the repository. npm ls exits 1 over the
// grammars' advisory peer ranges (see the root .npmrc), so its status is not the test: its list is.
const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repo, encoding: 'utf8' });
if (!ls.stdout.includes(`node_modules${sep}tree-sitter`)) {
  console.error(`bundle-server: npm ls failed: ${ls.stderr}`);
  process.exit(1);
}
const listed = ls.stdout
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && resolve(l) !== repo);
const unneeded = new Set(['vendor', 'test', 'tests', 'example', 'examples', '.github']);
for (const dir of listed) {
  const rel = relative(repo, dir);
  if (!rel.startsWith(`node_modules${sep}`)) continue;
  cpSync(dir, join(out, rel), {
    recursive: true,
    filter: (src) => {
      const inner = relative(dir, src).split(sep);
      if (inner[0] === 'node_modules') return false; // nested deps are listed on their own
      if (unneeded.has(inner[0])) return false;
      if (inner[0] === 'build' && inner.length > 1 && !(inner[1] === 'Release' && (inner.length === 2 || (inner.length === 3 && src.endsWith('.node'))))) return false;
      // Grammar/runtime C sources (tens of MB): only node-types.json is read at run time.
      if (inner[0] === 'src' && /\.(c|cc|h)$/.test(src)) return false;
      if (inner[0] === 'src' && inner[1] === 'tree_sitter') return false;
      return !src.endsWith('.map');
    },
  });
}
console.log(`bundle-server: ${listed.length} packages into ${relative(process.cwd(), out) || out}`);
