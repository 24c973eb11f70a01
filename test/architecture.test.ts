import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

/**
 * The layers of docs/architecture.md, lowest first. A module may import from its own layer or a
 * lower one; the two front ends (cli, server) share a rank but never import each other.
 */
const LAYERS: readonly (readonly [string, number])[] = [
  ['core/util', 0],
  ['core/syntax', 1],
  ['core/flow', 2],
  ['core/project', 3],
  ['core/engine', 4],
  ['domain', 5],
  ['rules', 6],
  ['cli', 7],
  ['server', 7],
];

function layerOf(path: string): string | undefined {
  return LAYERS.find(([dir]) => path === dir || path.startsWith(`${dir}/`))?.[0];
}
const rank = (layer: string) => LAYERS.find(([dir]) => dir === layer)![1];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Relative imports of a module (static, type-only and dynamic with a literal), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(dirname(join(ROOT, file)), s)).replace(/\.js$/, '.ts'));
}

describe('architecture', () => {
  const files = ['core', 'domain', 'rules', 'cli', 'server'].flatMap(sources);

  it('every module belongs to a layer', () => {
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
    expect(files.length).toBeGreaterThan(60);
  });

  it('imports go only downward (or within a layer); the CLI and the LSP server never import each other', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file)!;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (!to) continue;
        const sideways = from !== to && rank(from) === rank(to);
        if (rank(to) > rank(from) || sideways) violations.push(`${file} -> ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the engine knows no domain: no socket, epoll or descriptor catalog below domain/', () => {
    const core = files.filter((f) => f.startsWith('core/'));
    const code = (f: string) => readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    const mentions = core.filter((f) => /\b(EPOLLET|epoll_ctl|accept4|ACQUIRE_FUNCTIONS|TRIGGER_REGISTRATIONS|INVALID_DESCRIPTOR_CONSTANTS)\b/.test(code(f)));
    expect(mentions).toEqual([]);
  });
});
