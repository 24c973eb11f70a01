import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '../core/parser.js';
import { childrenForField } from '../core/syntax.js';
import { ROOT } from './cli-helpers.js';

describe('syntax helpers', () => {
  it('childrenForField gives every child in a field, in order, and nothing for other fields', () => {
    const tree = parseText('c', 'int a = 1, *b, c[2];\nvoid f(void) { for (int i = 0, j = 9; i < j; i++, j--) {} }\n');
    const declaration = tree.rootNode.namedChildren[0]!;
    expect(childrenForField(declaration, 'declarator').map((d) => d.text)).toEqual(['a = 1', '*b', 'c[2]']);
    expect(childrenForField(declaration, 'type').map((d) => d.text)).toEqual(['int']);
    expect(childrenForField(declaration, 'body')).toEqual([]);
    const loop = tree.rootNode.descendantsOfType('for_statement')[0]!;
    expect(childrenForField(loop, 'update').map((d) => d.text)).toEqual(['i++, j--']);
    // The same answer as tree-sitter's own (leaking) implementation.
    expect(childrenForField(declaration, 'declarator').map((d) => d.id)).toEqual(declaration.childrenForFieldName('declarator').map((d) => d.id));
  });

  it('no engine code calls childrenForFieldName (node-tree-sitter 0.25 leaks a native cursor per call)', () => {
    const offenders: string[] = [];
    for (const dir of ['core', 'rules', 'server', 'cli']) {
      for (const name of readdirSync(join(ROOT, dir), { recursive: true }) as string[]) {
        if (!name.endsWith('.ts')) continue;
        const text = readFileSync(join(ROOT, dir, name), 'utf8');
        if (/\.childrenForField(Name|Id)\(/.test(text)) offenders.push(`${dir}/${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
