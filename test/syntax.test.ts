import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leanNodeAccessorsInstalled, libraryAccessors } from '../core/syntax/node-objects.js';
import { fastGettersInstalled, parseText, type SyntaxNode } from '../core/syntax/parser.js';
import { LineMap } from '../core/syntax/source-text.js';
import { OrderedAncestry } from '../core/syntax/ordered-ancestry.js';
import { childrenForField, TOKEN_TYPES, walk, walkMentioning } from '../core/syntax/nodes.js';
import { blankComments, directivesWithoutTrailingSpace, skipComment, skipQuoted, skipSpace, startsLine, splitTopLevelChoice } from '../core/syntax/c-text.js';
import { directiveLineEnd, directiveLines } from '../core/syntax/conditionals.js';
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

  it('node starts and ids read from the node object agree with the text and positions, on real code and past non-ASCII text', () => {
    const text = `${readFileSync(join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp'), 'utf8')}\n// é 😀 ü\nint g(void) { return /* ☃ */ h("😀", 'é'); }\n`;
    const tree = parseText('cpp', text);
    expect(fastGettersInstalled).toBe(true);
    const lines = new LineMap(text);
    const nodes: SyntaxNode[] = [];
    const visit = (node: SyntaxNode) => {
      nodes.push(node);
      for (const child of node.children) visit(child);
    };
    visit(tree.rootNode);
    expect(nodes.length).toBeGreaterThan(500);
    for (const node of nodes) {
      // The end is still tree-sitter's own: the start must fit it, and the text between them.
      expect(text.slice(node.startIndex, node.endIndex)).toBe(node.text);
      const line = lines.lineOf(node.startIndex);
      expect(node.startPosition).toEqual({ row: line, column: node.startIndex - lines.offsetOf(line, 0) });
    }
    // Ids tell nodes apart and name the same node however it was reached.
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length);
    const call = tree.rootNode.descendantsOfType('call_expression').at(-1)!;
    expect(nodes.find((n) => n.type === 'call_expression' && n.startIndex === call.startIndex)!.id).toBe(call.id);
  });

  it('OrderedAncestry gives every node the parent chain node.parent gives, in document order and out of it, past non-ASCII text', () => {
    const text = `${readFileSync(join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp'), 'utf8')}\n// é 😀\nint g(void) { return (int)((h("😀", f(f(1))))); }\n`;
    const tree = parseText('cpp', text);
    const nodes: SyntaxNode[] = [];
    const visit = (node: SyntaxNode) => {
      nodes.push(node);
      for (const child of node.children) visit(child);
    };
    visit(tree.rootNode);
    const chainOf = (node: SyntaxNode, through: (type: string) => boolean) => {
      const chain: number[] = [];
      for (let p = node.parent; p; p = p.parent) {
        chain.push(p.id);
        if (!through(p.type)) break;
      }
      return chain;
    };
    const throughParens = (type: string) => type === 'parenthesized_expression' || type === 'cast_expression';
    const ancestry = new OrderedAncestry(tree.rootNode);
    for (const node of nodes.slice(1)) expect(ancestry.ancestors(node, throughParens)!.map((n) => n.id)).toEqual(chainOf(node, throughParens));
    // Out of order (last first) and all the way up.
    for (const node of [...nodes.slice(1)].reverse().filter((_, i) => i % 7 === 0)) expect(ancestry.ancestors(node, () => true)!.map((n) => n.id)).toEqual(chainOf(node, () => true));
    // A cursor on a subtree climbs no higher than it.
    const fn = tree.rootNode.descendantsOfType('function_definition').at(-1)!;
    const inner = fn.descendantsOfType('call_expression').at(-1)!;
    expect(new OrderedAncestry(fn).ancestors(inner, () => true)!.at(-1)!.id).toBe(fn.id);
  });

  it('the token types a walk does not descend into have no named children, in C and C++, on every sample and fixture', () => {
    const sources: string[] = [];
    const collect = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) collect(join(dir, entry.name));
        else if (/\.(c|h|cc|cpp)$/.test(entry.name)) sources.push(readFileSync(join(dir, entry.name), 'utf8'));
      }
    };
    collect(join(ROOT, 'samples'));
    collect(join(ROOT, 'test', 'fixtures'));
    // Every token type, some in awkward spots: NULL and nullptr (both `null`), this, escapes, characters, <headers>, labels.
    sources.push('#include <sys/socket.h>\nnamespace n { struct S { int f; int g() { return this->f ? true : false; } }; }\nint h(char *p) { if (p == NULL || p == nullptr) goto out; p[0] = \'\\n\'; p[1] = \'a\'; out: return n::S().g() + 0x1f; /* c */ }\n');
    const seen = new Set<string>();
    for (const language of ['c', 'cpp'] as const) {
      for (const text of sources) {
        const stack: SyntaxNode[] = [parseText(language, text).rootNode];
        while (stack.length > 0) {
          const node = stack.pop()!;
          if (TOKEN_TYPES.has(node.type)) {
            seen.add(node.type);
            expect(node.namedChildCount, `${language} ${node.type} '${node.text}'`).toBe(0);
          }
          stack.push(...node.namedChildren);
        }
      }
    }
    expect([...TOKEN_TYPES].filter((t) => !seen.has(t))).toEqual([]);
  });

  it('walkMentioning visits, in walk order, every node whose text holds the needle, and skips whole subtrees without it', () => {
    const text = readFileSync(join(ROOT, 'samples', 'incident-002-fd-leak', readdirSync(join(ROOT, 'samples', 'incident-002-fd-leak')).find((f) => /\.(c|cpp)$/.test(f))!), 'utf8');
    const tree = parseText('cpp', text);
    const statements = tree.rootNode.descendantsOfType(['expression_statement', 'declaration', 'if_statement', 'return_statement']);
    expect(statements.length).toBeGreaterThan(10);
    let skipped = 0;
    for (const statement of statements) {
      const statementText = statement.text;
      for (const needle of new Set([...(statementText.match(/[A-Za-z_]\w*/g) ?? []), 'no_such_name'])) {
        const all: SyntaxNode[] = [];
        walk(statement, (node) => void all.push(node));
        const seen: SyntaxNode[] = [];
        walkMentioning(statement, statementText, needle, (node) => void seen.push(node));
        const holding = all.filter((n) => n.text.includes(needle));
        // Every node holding the needle is visited, in the same order; the others visited are on the way.
        expect(seen.filter((n) => n.text.includes(needle)).map((n) => n.id)).toEqual(holding.map((n) => n.id));
        const order = seen.map((n) => all.findIndex((a) => a.id === n.id));
        expect(order.every((i) => i >= 0)).toBe(true);
        expect(order).toEqual([...order].sort((a, b) => a - b));
        skipped += all.length - seen.length;
      }
    }
    expect(skipped).toBeGreaterThan(100);
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
  it('node objects made by the lean accessors are the nodes the library itself returns, on every node of real C and C++ with errors', () => {
    const sources: [('c' | 'cpp'), string][] = [
      ['cpp', readFileSync(join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp'), 'utf8')],
      ['c', readFileSync(join(ROOT, 'samples', 'incident-003-accept-loop', 'one_accept_per_event.c'), 'utf8')],
      // An ERROR node, a missing token and non-ASCII text.
      ['c', 'int f(int x) {\n  /* é 😀 */ if (x) { return g(x, "ü"); } else y = @;\n  while (x--) h(x);\n  return (x; }\n'],
    ];
    expect(leanNodeAccessorsInstalled).toBe(true);
    const describe = (r: unknown): unknown => (Array.isArray(r) ? r.map(describe) : r ? `${(r as SyntaxNode).id} ${(r as SyntaxNode).type} ${(r as SyntaxNode).startIndex}-${(r as SyntaxNode).endIndex} ${(r as SyntaxNode).text}` : r);
    let compared = 0;
    for (const [language, text] of sources) {
      const tree = parseText(language, text);
      const nodes: SyntaxNode[] = [];
      const visit = (node: SyntaxNode) => {
        nodes.push(node);
        for (const child of node.children) visit(child);
      };
      visit(tree.rootNode);
      if (text.includes('@')) expect([nodes.some((n) => n.type === 'ERROR'), nodes.some((n) => n.isMissing)]).toEqual([true, true]);
      for (const node of nodes) {
        for (const [name, original] of libraryAccessors) {
          const args: unknown[] = name === 'childForFieldName' ? ['body'] : name === 'descendantsOfType' ? [['identifier', 'call_expression', 'ERROR']] : name.endsWith('ForIndex') ? [node.startIndex + 1] : [0];
          const mine = original.get ? (node as unknown as Record<string, unknown>)[name] : ((node as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!)(...args);
          const theirs = original.get ? original.get.call(node) : (original.value as (...a: unknown[]) => unknown).apply(node, args);
          expect(describe(mine)).toEqual(describe(theirs));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});

describe('text scanners', () => {
  it('skipComment gives the last character of a comment, bounded by the end it is given', () => {
    const text = 'a // line\nb /* block\n */ c /* open';
    expect(skipComment(text, 2, text.length)).toBe(9); // the line break
    expect(skipComment(text, 12, text.length)).toBe(23); // the slash of the closing */
    expect(skipComment(text, 27, text.length)).toBe(text.length); // runs on to the end
    expect(skipComment(text, 12, 20)).toBe(20); // not closed before `end`
    expect(skipComment(text, 2, 5)).toBe(5);
    expect(skipComment('a / b', 2, 5)).toBe(2); // just a slash
    expect(skipComment('/**/', 0, 4)).toBe(3);
  });

  it('startsLine: only blanks between the line start and the offset', () => {
    const text = '#if A\n  \t#endif\nx #y';
    expect(startsLine(text, 0)).toBe(true);
    expect(startsLine(text, text.indexOf('#endif'))).toBe(true);
    expect(startsLine(text, text.lastIndexOf('#'))).toBe(false);
  });

  it('directiveLines gives each directive its own line start, after comments, strings and continued lines', () => {
    const text = '/* c */ x;\n  #if A /* spans\n */\n"#if no"; // #if no\n#ifdef B \\\n  && C\n\t#endif\n#endif\n';
    const lines = directiveLines(text).map((l) => [l.kind, text.slice(l.start, l.end)]);
    expect(lines).toEqual([
      ['if', '  #if A /* spans\n */'],
      ['ifdef', '#ifdef B \\\n  && C'],
      ['endif', '\t#endif'],
      ['endif', '#endif'],
    ]);
    expect(directiveLineEnd(text, text.indexOf('#ifdef'))).toBe(text.indexOf('\t#endif') - 1);
  });

  it('blankComments blanks each comment to spaces, keeping its line breaks, and leaves strings alone', () => {
    const text = 'a; /* one\r\n two */ b; // tail\r\n"/* no */" c;';
    const blank = blankComments(text);
    expect(blank).toBe('a; ' + ' '.repeat(7) + '\n' + ' '.repeat(7) + ' b; ' + ' '.repeat(8) + '\n"/* no */" c;');
    expect(blank.length).toBe(text.length);
  });

  it('directivesWithoutTrailingSpace moves the white space ending a directive line to its start, and nothing else', () => {
    const text = 'int a; \n  #define IGNORE(NAME) \t\n#include <x.h> \r\n#define X 1\nx(); \n#undef Y';
    const moved = directivesWithoutTrailingSpace(text);
    expect(moved).toBe('int a; \n \t  #define IGNORE(NAME)\n #include <x.h>\r\n#define X 1\nx(); \n#undef Y');
    expect(moved.length).toBe(text.length);
    expect(directivesWithoutTrailingSpace('a;\nb;\n')).toBe('a;\nb;\n');
  });

  it('a directive whose value is only white space keeps the next line its own, in C and C++ (box86\'s `#define IGNORE(NAME) `)', () => {
    const text = 'void f(int a)\n{\n    if (a) {\n        #define IGNORE(NAME) \n    }\n    g();\n}\n\nvoid h(void)\n{\n}\n#include <x.h> \nint z;\n';
    for (const language of ['c', 'cpp'] as const) {
      const root = parseText(language, text).rootNode;
      expect(root.hasError).toBe(false);
      const functions = root.namedChildren.filter((n) => n.type === 'function_definition').map((n) => [n.startPosition.row + 1, n.endPosition.row + 1]);
      expect(functions).toEqual([[1, 7], [9, 11]]);
    }
  });

  it('splitTopLevelChoice splits a choice at its own ? and :, not at nested ones or ::', () => {
    expect(splitTopLevelChoice('(fd) >= 0? (ref)((long)(fd) + 1) : tb_null')).toEqual(['(fd) >= 0', '(ref)((long)(fd) + 1)', 'tb_null']);
    expect(splitTopLevelChoice('a ? b ? c : d : e')).toEqual(['a', 'b ? c : d', 'e']);
    expect(splitTopLevelChoice('a ? std::x : (b ? c : d)')).toEqual(['a', 'std::x', '(b ? c : d)']);
    expect(splitTopLevelChoice('f(a ? b : c)')).toBeUndefined();
  });

  // Node 20's optimising compiler may move a String search (indexOf, lastIndexOf, includes) out of
  // the branch it is in to the head of the loop a scanner is inlined into, where it runs from every
  // character: minutes on a long line (issue 21's fuzzing stall; see skipComment). The scanners that
  // walk a whole file character by character therefore search with loops of their own.
  it('the character-by-character scanners make no String search calls', () => {
    for (const scanner of [skipComment, skipQuoted, skipSpace, startsLine, blankComments, directiveLines, directiveLineEnd]) {
      expect(scanner.toString(), scanner.name).not.toMatch(/\.(?:indexOf|lastIndexOf|includes|search)\(/);
    }
  });
});
