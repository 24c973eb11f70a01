import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

/** Rule documentation lives beside the code as docs/rules/ID.md (ESLint's layout). */
export const DOCS_BASE_URL = 'https://github.com/connlint/connlint/blob/main/docs/rules/';

export function ruleDocsUrl(id: string): string {
  return `${DOCS_BASE_URL}${id}.md`;
}

const cache = new Map<string, string>();

export function ruleDocs(id: string): string {
  let text = cache.get(id);
  if (text === undefined) {
    try {
      text = readFileSync(join(packageRoot(), 'docs', 'rules', `${id}.md`), 'utf8');
    } catch {
      text = '';
    }
    cache.set(id, text);
  }
  return text;
}
