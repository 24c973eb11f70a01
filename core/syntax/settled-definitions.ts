import { conditionalGroups, type MacroValue } from './conditionals.js';
import { lowerBound } from '../util/sorted.js';

/** A file's own unconditional `#define` of a name: where it is, and what `#if` reads for it. */
export interface SettledDefinition {
  /** Offset of the `#define` line: directives after it see the definition. */
  readonly offset: number;
  readonly value: MacroValue;
}

const DEFINE_OR_UNDEF = /^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)(\()?([^\n]*)/gm;
const INTEGER_BODY = /^\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*\s*\)?$/;

/**
 * Names a file defines exactly once, outside every `#if` group, and never `#undef`s: from that
 * line on every build of the file has them with that value, whatever the command line says (the
 * file's definition comes last). `#define DYNAMIC_PORT 1` then `#if DYNAMIC_PORT … close(sock);
 * #endif` (dosemu2's IPX code) is compiled. Only a number (`1`, `(0x10)`) decides `#if NAME`; an
 * empty body or a function-like macro decides `#ifdef NAME`. Include guards and fallbacks
 * (`#ifndef X` / `#define X …` / `#endif`) are defined inside a group and stay undecided.
 */
export function settledDefinitions(text: string): ReadonlyMap<string, SettledDefinition> {
  const out = new Map<string, SettledDefinition>();
  if (!text.includes('define')) return out;
  const seen = new Set<string>();
  const unsettled = new Set<string>();
  const outside = outsideGroups(text);
  for (const m of text.matchAll(DEFINE_OR_UNDEF)) {
    const name = m[2]!;
    if (m[1] === 'undef' || seen.has(name) || !outside(m.index!)) {
      unsettled.add(name);
      continue;
    }
    seen.add(name);
    const body = withoutComment(m[4]!).trim();
    if (body.endsWith('\\')) continue;
    const number = m[3] ? undefined : INTEGER_BODY.exec(body)?.[1];
    const value: MacroValue = number !== undefined ? Number(number) : m[3] || body === '' ? 'defined' : undefined;
    if (value !== undefined) out.set(name, { offset: m.index!, value });
  }
  for (const name of unsettled) out.delete(name);
  return out;
}

function withoutComment(line: string): string {
  return line.replace(/\/\*.*?\*\//g, ' ').replace(/\/[/*].*$/, '');
}

/** Whether an offset lies outside every conditional group of the text (binary search over the outermost groups). */
function outsideGroups(text: string): (offset: number) => boolean {
  const starts: number[] = [];
  const ends: number[] = [];
  // Groups come outer first, in document order: the outermost ones are disjoint and sorted.
  for (const group of conditionalGroups(text)) {
    if (ends.length > 0 && group.start < ends[ends.length - 1]!) continue;
    starts.push(group.start);
    ends.push(group.end);
  }
  return (offset) => {
    const i = lowerBound(starts, offset + 1) - 1;
    return i < 0 || offset >= ends[i]!;
  };
}

/**
 * `lookup` with the file's settled definitions first, for a directive at `offset`: a name the
 * file defined above it has that definition's value.
 */
export function withSettledDefinitions(definitions: ReadonlyMap<string, SettledDefinition> | undefined, offset: number, lookup: (name: string) => MacroValue): (name: string) => MacroValue {
  if (!definitions || definitions.size === 0) return lookup;
  return (name) => {
    const definition = definitions.get(name);
    return definition !== undefined && definition.offset < offset ? definition.value : lookup(name);
  };
}
