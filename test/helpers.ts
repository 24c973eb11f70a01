import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeSources } from '../core/engine/session.js';
import { emptyConfig, type ResolvedConfig } from '../core/engine/config.js';
import type { Finding } from '../core/engine/findings.js';
import type { Rule } from '../core/engine/rule.js';
import { ALL_RULES } from '../rules/index.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** All C/C++ files under a fixture folder (or one file), as { path, text }, paths relative to fixtures/. */
export function fixtureSources(...names: string[]): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const visit = (abs: string) => {
    if (statSync(abs).isDirectory()) for (const e of readdirSync(abs).sort()) visit(join(abs, e));
    else out.push({ path: relative(FIXTURES, abs), text: readFileSync(abs, 'utf8') });
  };
  for (const n of names) visit(join(FIXTURES, n));
  return out;
}

/** The rules a test is about (each rule's fixtures assert that rule's findings exactly). */
export const ACCEPT_RULES = ALL_RULES.filter((r) => r.meta.id.includes('accept'));

export function analyze(sources: { path: string; text: string }[], config?: ResolvedConfig, reportUnusedDirectives = false, rules: readonly Rule[] = ACCEPT_RULES): Finding[] {
  return analyzeSources(sources, { rules, config: config ?? emptyConfig(FIXTURES), reportUnusedDirectives });
}

/** `// expect: RULE SEVERITY` annotations: "file:line rule severity" strings, sorted. */
export function expectedFindings(sources: { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const s of sources) {
    s.text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/expect: ([\w-]+) (error|warning|note)/g)) out.push(`${s.path}:${i + 1} ${m[1]} ${m[2]}`);
    });
  }
  return out.sort();
}

export function actualFindings(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.location.file}:${f.location.line} ${f.ruleId} ${f.severity}`).sort();
}
