import { describe, expect, it } from 'vitest';
import { parseText, type SyntaxNode } from '../core/syntax/parser.js';
import { ALL_RULES } from '../rules/index.js';
import { analyze } from './helpers.js';

/**
 * Inputs of extreme shape (issue 21): each is analysed, with its findings asserted, and a bound on
 * the work it takes counted in steps, never in time.
 */

/** Counts the reads of `node.parent` (tree-sitter answers each by walking down from the root: linear in the depth). */
function countingParentReads<T>(run: () => T): { result: T; reads: number } {
  let proto: object | null = Object.getPrototypeOf(parseText('c', 'int x;').rootNode) as object;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'parent')) proto = Object.getPrototypeOf(proto) as object | null;
  const own = Object.getOwnPropertyDescriptor(proto!, 'parent')!;
  let reads = 0;
  Object.defineProperty(proto!, 'parent', {
    ...own,
    get(this: SyntaxNode) {
      reads++;
      return own.get!.call(this) as unknown;
    },
  });
  try {
    return { result: run(), reads };
  } finally {
    Object.defineProperty(proto!, 'parent', own);
  }
}

/** A function that leaks `fd` on the return whose value is `expression`. */
function leakAround(expression: string): string {
  return `#include <fcntl.h>\n#include <unistd.h>\nint f(int);\nint g(int x) {\n  int fd = open("a", O_RDONLY);\n  if (fd < 0) return -1;\n  if (x) return ${expression};\n  close(fd);\n  return 0;\n}\n`;
}

describe('deep expression trees', () => {
  const shapes: [string, string][] = [
    ['15,000 nested calls', 'f('.repeat(15_000) + 'x' + ')'.repeat(15_000)],
    ['a sum of 20,000 calls', Array.from({ length: 20_000 }, () => 'f(x)').join(' + ')],
    ['a comma chain of 20,000 calls', `(${Array.from({ length: 20_000 }, () => 'f(x)').join(', ')})`],
    ['100,000 nested parentheses', '('.repeat(100_000) + 'x' + ')'.repeat(100_000)],
  ];
  for (const [name, expression] of shapes) {
    it(`${name}: the leak on its return is found, reading no parent per call (each read walks down from the root)`, () => {
      const { result, reads } = countingParentReads(() => analyze([{ path: 'deep.c', text: leakAround(expression) }], undefined, false, ALL_RULES));
      expect(result.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column} ${f.message.slice(0, 60)}`)).toEqual(["fd-leak 7:10 descriptor 'fd' from open() (line 5) is still open when this"]);
      expect(reads).toBeLessThan(200);
    });
  }
});
